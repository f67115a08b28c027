import { expect } from 'chai'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

import { createLogger } from '../../../src/log/logger'
import { parseAuthorizedKeys } from '../../../src/ssh/authorized-keys'
import { generateParsableKeyPair } from '../../../src/ssh/host-keys'
import { SshServer } from '../../../src/ssh/server'
import type { KeepaliveSettings } from '../../../src/ssh/keepalive'
import type { SessionChannel } from '../../../src/ssh/types'
import { makeClientKey } from '../../helpers/keys'
import { clientOptions } from '../../helpers/ssh'
import { sleep, waitFor } from '../../helpers/wait'
import { makeTempDir, removeDir } from '../helpers/keygen'
import type { ClientKey } from '../../helpers/keys'

type LogLine = Record<string, unknown>

/**
 * The SSH side alone, with no daemon: the session handler only holds the channel open and
 * notes when it closes, which is what makes the bridge end a session's command.
 */
class KeepaliveRig {
  readonly logs: LogLine[] = []
  readonly channels: SessionChannel[] = []
  readonly closed: SessionChannel[] = []
  readonly server: SshServer
  port = 0

  constructor(keepalive: KeepaliveSettings, key: ClientKey) {
    const log = createLogger('debug', {
      write: (line: string) => void this.logs.push(JSON.parse(line) as LogLine),
    })
    const hostKey = generateParsableKeyPair('ed25519')
    this.server = new SshServer({
      host: '127.0.0.1',
      port: 0,
      maxUnauthenticated: 10,
      loginGraceMs: 10000,
      hostKeys: [{ type: 'ed25519', file: '', privateKey: Buffer.from(hostKey.private),
        fingerprint: '', generated: true }],
      keepalive,
      connection: {
        authorizedKeys: () => parseAuthorizedKeys(key.publicLine).keys,
        defaultUser: 'root',
        maxAuthTries: 6,
        maxSessions: 10,
        acceptEnv: [],
        subsystems: [],
        handler: (_request, channel) => this.hold(channel),
      },
      log,
    })
  }

  async listen(): Promise<void> {
    this.port = (await this.server.listen()).port
  }

  events(event: string): LogLine[] {
    return this.logs.filter((line) => line.event === event)
  }

  stop(): void {
    this.server.stopAccepting()
    this.server.disconnectAll()
  }

  private hold(channel: SessionChannel): void {
    this.channels.push(channel)
    // ssh2 says 'close' only after the input's end has been read, as the bridge reads it.
    channel.input.resume()
    channel.once('close', () => this.closed.push(channel))
  }
}

describe('server keepalive, with the OpenSSH client', function () {
  this.timeout(20000)
  const settings = { intervalMs: 300, countMax: 2 }
  let dir: string
  let key: ClientKey
  let rig: KeepaliveRig | undefined
  const clients: ChildProcess[] = []

  function connect(): ChildProcess {
    const args = [...clientOptions({ port: rig!.port, keyPath: key.path }),
      '-p', String(rig!.port), 'c1@127.0.0.1', 'sleep 60']
    const child = spawn('ssh', args, { stdio: 'ignore' })
    clients.push(child)
    return child
  }

  async function startRig(keepalive: KeepaliveSettings): Promise<KeepaliveRig> {
    rig = new KeepaliveRig(keepalive, key)
    await rig.listen()
    return rig
  }

  async function sessionOpen(current: KeepaliveRig): Promise<void> {
    await waitFor('a session', () => (current.channels.length > 0 || undefined), 10000, 20)
  }

  before(async () => {
    dir = makeTempDir('keepalive')
    key = await makeClientKey(dir)
  })

  afterEach(() => {
    for (const child of clients.splice(0)) {
      child.kill('SIGCONT')
      child.kill('SIGKILL')
    }
    rig?.stop()
    rig = undefined
  })

  after(() => removeDir(dir))

  it('cuts a frozen client after countMax unanswered probes and closes its sessions', async () => {
    const current = await startRig(settings)
    const client = connect()
    await sessionOpen(current)

    client.kill('SIGSTOP')
    const frozenAt = Date.now()
    await waitFor('the session to close', () => (current.closed.length > 0 || undefined),
      5000, 20)
    const elapsed = Date.now() - frozenAt

    // 3 silent intervals (2 probes, then 1 more to wait for them), then the 500 ms grace.
    expect(elapsed, 'ms until the session closed').to.be.within(800, 2500)
    const [line] = current.events('client_unresponsive')
    expect(line, 'client_unresponsive').to.include({ level: 30, sessions: 1 })
    expect(line.connId, 'connId').to.be.a('string')
    expect(current.server.connectionCount, 'connections').to.equal(0)
  })

  it('keeps an idle client that answers the probes', async () => {
    const current = await startRig(settings)
    connect()
    await sessionOpen(current)

    await sleep(settings.intervalMs * 8)

    expect(current.closed, 'closed sessions').to.have.length(0)
    expect(current.events('client_unresponsive'), 'client_unresponsive').to.have.length(0)
  })

  it('sends no probe when the interval is 0, and so keeps a frozen client', async () => {
    const current = await startRig({ intervalMs: 0, countMax: 1 })
    const client = connect()
    await sessionOpen(current)

    client.kill('SIGSTOP')
    await sleep(2000)

    expect(current.closed, 'closed sessions').to.have.length(0)
    expect(current.events('client_unresponsive'), 'client_unresponsive').to.have.length(0)
  })
})
