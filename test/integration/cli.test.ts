import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DAEMONS, containerPs, killMarked, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { makeClientKey, scanHostKeys } from '../helpers/keys'
import { uniqueSleep } from '../helpers/markers'
import { runOk } from '../helpers/process'
import { runSsh, startSsh } from '../helpers/ssh'
import { waitFor } from '../helpers/wait'
import type { Gateway } from '../helpers/gateway'

const LXD = DAEMONS[0]

describe('execgate command line', () => {
  let scratch = ''
  const gateways: Gateway[] = []

  before(async () => {
    await requireDaemon(LXD)
  })

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'execgate-cli-'))
  })

  afterEach(async function () {
    this.timeout(30000)
    for (const gateway of gateways.splice(0)) await gateway.stop()
    await rm(scratch, { recursive: true, force: true })
  })

  async function start(options: Partial<Parameters<typeof startGateway>[0]> = {}) {
    const gateway = await startGateway({ backend: LXD.socket, ...options })
    gateways.push(gateway)
    return gateway
  }

  describe('--host-keys', () => {
    it('generates ed25519 and rsa host keys with mode 0600', async () => {
      const hostKeysDir = join(scratch, 'keys')
      const gateway = await start({ hostKeysDir })
      const keys = await privateKeys(hostKeysDir)
      expect([...keys.keys()].sort(), 'key types on disk').to.deep.equal(['ED25519', 'RSA'])
      for (const key of keys.values()) {
        expect(key.mode, `mode of ${key.path}`).to.equal(0o600)
      }
      const offered = await scanHostKeys(gateway.port)
      expect(offered.get('ED25519'), 'ed25519 key offered').to.equal(keys.get('ED25519')?.sha)
      expect(offered.get('RSA'), 'rsa key offered').to.equal(keys.get('RSA')?.sha)
    })

    it('reuses its host keys across restarts', async function () {
      this.timeout(60000)
      const hostKeysDir = join(scratch, 'keys')
      const first = await start({ hostKeysDir })
      const before = await scanHostKeys(first.port)
      await first.stop()
      const second = await start({ hostKeysDir })
      const after = await scanHostKeys(second.port)
      expect([...after], 'host key fingerprints after a restart').to.deep.equal([...before])
    })
  })

  describe('authentication', () => {
    it('refuses an unknown key with "Permission denied (publickey)" and status 255', async () => {
      const gateway = await start()
      const stranger = await makeClientKey(scratch, 'stranger')
      const r = await runSsh({ port: gateway.port, keyPath: stranger.path },
        { user: 'c1', command: 'echo should-not-run' })
      expect(r.stderr, 'stderr').to.include('Permission denied (publickey)')
      expect(r.stdout.length, 'stdout bytes').to.equal(0)
      expect(r.code, 'exit status').to.equal(255)
      await gateway.waitForLog('auth_refused')
    })

    it('offers publickey authentication only', async () => {
      const gateway = await start()
      const r = await runSsh(gateway, {
        user: 'c1',
        command: 'echo should-not-run',
        args: ['-v', '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no'],
      })
      const offered = /Authentications that can continue: publickey\r?\n/
      expect(r.stderr, 'methods offered').to.match(offered)
      expect(r.stderr, 'stderr').to.include('Permission denied (publickey)')
      expect(r.code, 'exit status').to.equal(255)
    })
  })

  describe('logs', () => {
    it('logs a session from connection_opened to connection_closed', async () => {
      const gateway = await start()
      const r = await runSsh(gateway, {
        user: 'c1', command: 'cat >/dev/null; printf 12345; exit 3', stdin: Buffer.from('abcdef'),
      })
      expect(r.code, 'exit status').to.equal(3)
      await gateway.waitForLog('connection_closed')
      const lines = gateway.logs.filter((line) => isLifecycleEvent(line.event))
      expect(lines.map((line) => line.event), 'event order').to.deep.equal(['connection_opened',
        'auth_accepted', 'session_started', 'session_ended', 'connection_closed'])
      const connIds = new Set(lines.map((line) => line.connId))
      expect([...connIds], 'one connId on every line').to.have.length(1).and.not.include(undefined)
      const ended = gateway.events('session_ended')[0]
      expect(ended.exitStatus, 'session_ended exitStatus').to.equal(3)
      expect(ended.bytesIn, 'session_ended bytesIn').to.equal(6)
      expect(ended.bytesOut, 'session_ended bytesOut').to.equal(5)
    })
  })

  describe('SIGTERM', () => {
    it('stops accepting and lets a running session finish', async function () {
      this.timeout(30000)
      const gateway = await start()
      const session = startSsh(gateway, { user: 'c1', command: 'sleep 2; echo finished' })
      await gateway.waitForLog('session_started')
      gateway.child.kill('SIGTERM')
      await gateway.waitForLog('gateway_stopping')
      const late = await runSsh(gateway, { user: 'c1', command: 'true' })
      expect(late.stderr, 'a connection after SIGTERM').to.include('Connection refused')
      expect(late.code, 'exit status of a connection after SIGTERM').to.equal(255)
      const r = await session.done
      expect(r.stdout.toString(), 'stdout of the running session').to.equal('finished\n')
      expect(r.code, 'exit status of the running session').to.equal(0)
      const exit = await gateway.exited
      expect(exit, 'gateway exit').to.deep.equal({ code: 0, signal: null })
      expect(gateway.events('gateway_stopped'), 'gateway_stopped lines').to.have.length(1)
    })

    it('ends sessions still running after shutdown.graceMs', async function () {
      this.timeout(30000)
      const gateway = await start({ config: { shutdown: { graceMs: 1000 } } })
      const sleep = uniqueSleep()
      const session = startSsh(gateway, { user: 'c1', command: sleep })
      await gateway.waitForLog('session_started')
      const stoppedAt = Date.now()
      gateway.child.kill('SIGTERM')
      const exit = await gateway.exited
      expect(Date.now() - stoppedAt, 'ms from SIGTERM to exit').to.be.below(4000)
      expect(exit, 'gateway exit').to.deep.equal({ code: 0, signal: null })
      const r = await session.done
      expect(r.code, 'exit status of the ended session').to.not.equal(0)
      const gone = async () => (await isRunning(sleep) ? undefined : true)
      await waitFor(`${sleep} gone from c1`, gone, 5000, 200).finally(() =>
        killMarked(LXD, 'c1', sleep))
    })
  })
})

interface PrivateKeyFile {
  path: string
  mode: number
  sha: string
}

// The private keys in a host key dir, keyed by type as ssh-keygen names it (ED25519, RSA).
async function privateKeys(dir: string): Promise<Map<string, PrivateKeyFile>> {
  const keys = new Map<string, PrivateKeyFile>()
  for (const name of await readdir(dir)) {
    const path = join(dir, name)
    if (!(await readFile(path, 'utf8')).includes('PRIVATE KEY')) continue

    const mode = (await stat(path)).mode & 0o777
    const fields = (await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', path])).trim().split(' ')
    keys.set(fields[fields.length - 1].replace(/[()]/g, ''), { path, mode, sha: fields[1] })
  }
  return keys
}

function isLifecycleEvent(event: unknown): boolean {
  return ['connection_opened', 'auth_accepted', 'session_started', 'session_ended',
    'connection_closed'].includes(String(event))
}

async function isRunning(marker: string): Promise<boolean> {
  return (await containerPs(LXD, 'c1')).some((p) => p.args.includes(marker))
}
