import { expect } from 'chai'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { runSsh, startSsh } from '../helpers/ssh'
import { connectSsh2, execSsh2 } from '../helpers/ssh2-client'
import { waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'

/** Writes the gateway's authorized_keys afresh with these lines. */
async function writeKeys(gateway: Gateway, lines: string[]): Promise<void> {
  await writeFile(join(gateway.dir, 'authorized_keys'), `${lines.join('\n')}\n`, { mode: 0o600 })
}

/** Sends SIGHUP and waits for the gateway's verdict on it. */
async function hangUp(gateway: Gateway, verdict: 'config_reloaded' | 'config_reload_failed') {
  const before = gateway.events(verdict).length
  gateway.child.kill('SIGHUP')
  await waitFor(verdict, () => gateway.events(verdict).length > before || undefined, 10000, 50)
  return gateway.events(verdict)[before]
}

function describeReload(daemon: Daemon): void {
  describe(`SIGHUP on ${daemon.name}`, function () {
    this.timeout(60000)
    let gateway: Gateway

    beforeEach(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      gateway = await startGateway({ backend: daemon.socket, config: { ssh: { maxSessions: 10 } } })
    })

    afterEach(async function () {
      this.timeout(30000)
      await gateway?.stop()
    })

    it('admits a key added to authorized_keys, drops a removed one, and keeps an open session',
      async () => {
        const open = startSsh(gateway, { user: 'c1', command: 'echo started; sleep 4; echo done' })
        await waitFor('the open session', () =>
          gateway.events('session_started').length > 0 || undefined, 10000, 50)

        const newcomer = await makeClientKey(gateway.dir, 'newcomer')
        await writeKeys(gateway, [newcomer.publicLine])
        const reloaded = await hangUp(gateway, 'config_reloaded')
        expect(reloaded.changed, 'no config field changed').to.deep.equal([])

        const admitted = await runSsh({ port: gateway.port, keyPath: newcomer.path },
          { user: 'c1', command: 'echo admitted' })
        expect(admitted.stdout.toString(), admitted.stderr).to.equal('admitted\n')
        const dropped = await runSsh(gateway, { user: 'c1', command: 'true' })
        expect(dropped.code, 'the removed key').to.equal(255)
        expect(dropped.stderr).to.include('Permission denied')

        const r = await open.done
        expect(r.stdout.toString(), 'the session open across the reload').to.equal(
          'started\ndone\n')
        expect(r.code).to.equal(0)
      })

    it('keeps the old configuration when the new file is invalid, and says where', async () => {
      await writeFile(join(gateway.dir, 'execgate.yaml'), stringify({ ssh: { maxSessions: -2 } }))
      const failed = await hangUp(gateway, 'config_reload_failed')
      expect(failed.level, 'logged at error level').to.equal(50)
      expect(failed.code).to.equal('CONFIG_INVALID')
      expect(String(failed.msg)).to.include('ssh.maxSessions')

      const served = await runSsh(gateway, { user: 'c1', command: 'echo unchanged' })
      expect(served.stdout.toString(), served.stderr).to.equal('unchanged\n')
    })

    it('keeps the old keys when authorized_keys cannot be read', async () => {
      const keys = join(gateway.dir, 'authorized_keys')
      await rename(keys, `${keys}.away`)
      const failed = await hangUp(gateway, 'config_reload_failed')
      expect(String(failed.msg)).to.include(`cannot read authorized keys "${keys}"`)

      const served = await runSsh(gateway, { user: 'c1', command: 'echo kept' })
      expect(served.stdout.toString(), served.stderr).to.equal('kept\n')
    })

    it('applies a changed limit to new connections and says what needs a restart', async () => {
      await writeFile(join(gateway.dir, 'execgate.yaml'), stringify({
        ssh: { maxSessions: 1 }, backends: { spare: { url: '/run/execgate-spare.sock' } },
      }))
      const reloaded = await hangUp(gateway, 'config_reloaded')
      expect(reloaded.changed).to.include('ssh')
      const restart = await gateway.waitForLog('config_restart_needed')
      expect(restart.fields).to.deep.equal(['backends'])

      // A new connection gets maxSessions 1: its second channel at once is refused.
      const conn = await connectSsh2(gateway, 'c1')
      try {
        const first = await execSsh2(conn, 'sleep 1; echo first')
        const second = await execSsh2(conn, 'echo second').then(() => 'opened', (err: Error) =>
          err.message)
        expect(second, 'a second channel beside the first').to.not.equal('opened')
        await first.waitForClose()
        expect(first.output()).to.equal('first\n')
      } finally {
        conn.end()
      }
      const served = await runSsh(gateway, { user: 'c1', command: 'echo still-listening' })
      expect(served.stdout.toString(), served.stderr).to.equal('still-listening\n')
    })
  })
}

for (const daemon of DAEMONS) describeReload(daemon)
