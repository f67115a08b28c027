import { expect } from 'chai'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { runFailingStart } from '../helpers/https'
import { run, runOk } from '../helpers/process'
import { runSsh, startSsh } from '../helpers/ssh'
import { sleep, waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'

/** A container that is stopped under its sessions; no other suite uses it. */
const VICTIM = 'victim1'

/** How long a session may outlive its container. */
const DEADLINE_MS = 5000

async function ensureRunning(daemon: Daemon): Promise<void> {
  const state = await runOk(daemon.cli, ['list', `^${VICTIM}$`, '-c', 's', '--format', 'csv'])
  if (state.trim() !== 'RUNNING') await runOk(daemon.cli, ['start', VICTIM], { timeoutMs: 30000 })
}

function describeFaults(daemon: Daemon): void {
  describe(`faults on ${daemon.name}`, function () {
    this.timeout(90000)
    let gateway: Gateway

    before(async function () {
      this.timeout(60000)
      await requireDaemon(daemon)
      await ensureRunning(daemon)
      gateway = await startGateway({ backend: daemon.socket })
    })

    after(async function () {
      this.timeout(60000)
      await gateway?.stop()
      await ensureRunning(daemon)
    })

    for (const args of [[], ['-tt']]) {
      const what = args.length ? 'a pty session' : 'a session'
      it(`ends ${what} whose container is stopped, with its reason and 255`, async () => {
        await ensureRunning(daemon)
        const before = gateway.events('session_started').length
        const session = startSsh(gateway, { user: VICTIM, command: 'echo started; sleep 60', args })
        await waitFor('the session to start', () =>
          (gateway.events('session_started').length > before ? true : undefined), 10000, 100)
        // session_started comes before the exec is up; give the command time to print.
        await sleep(1500)

        await run(daemon.cli, ['stop', '--force', VICTIM], { timeoutMs: 30000 })
        const stoppedAt = Date.now()
        const r = await session.done

        expect(Date.now() - stoppedAt, 'ms until the session ended').to.be.below(DEADLINE_MS)
        expect(r.stdout.toString(), 'what ran first').to.include('started')
        const stderr = args.length ? r.stdout.toString() + r.stderr : r.stderr
        expect(stderr).to.include(`execgate: container "${VICTIM}" stopped during the session`)
        expect(r.code, 'exit status').to.equal(255)
      })
    }

    it('refuses new sessions while the container is stopped, and serves them once it runs',
      async () => {
        await run(daemon.cli, ['stop', '--force', VICTIM], { timeoutMs: 30000 })
        const refused = await runSsh(gateway, { user: VICTIM, command: 'true' })
        expect(refused.code).to.equal(255)
        expect(refused.stderr).to.include(`container "${VICTIM}" is not running`)

        await ensureRunning(daemon)
        const served = await runSsh(gateway, { user: VICTIM, command: 'echo back' })
        expect(served.stdout.toString(), served.stderr).to.equal('back\n')
        expect(gateway.child.exitCode, 'the gateway kept running').to.equal(null)
      })
  })
}

describe('a daemon unreachable when the gateway starts', () => {
  it('stops the gateway with one line naming the daemon and the cause, and status 1', async () => {
    const socket = join(tmpdir(), `execgate-no-daemon-${process.pid}.sock`)
    const r = await runFailingStart(socket, {})
    expect(r.timedOut, `the gateway started instead (${r.stderr})`).to.equal(false)
    expect(r.code, 'exit status').to.equal(1)
    expect(r.stderr).to.equal(
      `execgate: daemon at ${socket} did not answer /1.0: connect ENOENT ${socket}\n`)
  })
})

for (const daemon of DAEMONS) describeFaults(daemon)
