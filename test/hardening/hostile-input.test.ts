import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { Client } from 'ssh2'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SIGNALS } = require('ssh2/lib/protocol/constants.js') as {
  SIGNALS: Record<string, number>
}
import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { runSsh, startSsh } from '../helpers/ssh'
import { connectSsh2, execSsh2 } from '../helpers/ssh2-client'
import { withTimeout } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'
import type { Running } from '../helpers/process'

/** Lines the healthy session prints, one every 20 ms, while the hostile cases run. */
const HEALTHY_LINES = 1500

/**
 * Names no signal has. ssh2's client only sends names from its own table, so the test adds
 * these to it; the gateway must answer them without ending anything.
 */
const UNKNOWN_SIGNALS = ['NOPE', 'TERMX', 'X'.repeat(300)]
for (const name of UNKNOWN_SIGNALS) SIGNALS[name] = 1

/** The raw protocol under ssh2's Client, for requests its public API will not send. */
interface RawProtocol {
  exec(channel: number, command: string, wantReply: boolean): void
  env(channel: number, key: string, value: string, wantReply: boolean): void
  signal(channel: number, name: string): void
}

function ignore(): void {
  // The request's own answer does not matter: the connection is expected to be dropped.
}

function rawProtocol(conn: Client): RawProtocol {
  return (conn as unknown as { _protocol: RawProtocol })._protocol
}

function remoteId(channel: unknown): number {
  return (channel as { outgoing: { id: number } }).outgoing.id
}

/** Connects and authenticates an ssh2 client; resolves with how the connection ended. */
function connectAndEnd(gateway: Gateway, options: Record<string, unknown>) {
  return new Promise<'ready' | 'error' | 'closed'>((resolve) => {
    const conn = new Client()
    conn.once('ready', () => { conn.end(); resolve('ready') })
    conn.once('error', () => resolve('error'))
    conn.once('close', () => resolve('closed'))
    conn.connect({ host: '127.0.0.1', port: gateway.port, readyTimeout: 15000, ...options })
  })
}

/** Bytes that no UTF-8 decoder accepts: a stray continuation byte, 0xFE, a cut sequence. */
const INVALID_UTF8 = Buffer.from([0x63, 0x80, 0xfe, 0xc3, 0x28, 0xe2, 0x82])

/**
 * ssh2's client writes every string as UTF-8, so it cannot send a broken name; while `action`
 * runs, the name it writes (as many 'c's as the raw bytes) is replaced by the raw bytes.
 */
async function withRawUsername<T>(raw: Buffer, action: () => Promise<T>): Promise<T> {
  const proto = Buffer.prototype as unknown as {
    utf8Write(text: string, offset?: number, length?: number): number
  }
  const original = proto.utf8Write
  const stand = 'c'.repeat(raw.length)
  proto.utf8Write = function (this: Buffer, text: string, offset = 0, length?: number) {
    if (text !== stand) return original.call(this, text, offset, length)
    raw.copy(this, offset)
    return raw.length
  }
  try {
    return await action()
  } finally {
    proto.utf8Write = original
  }
}

function socketClosed(port: number, payload: Buffer, timeoutMs: number): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  socket.on('data', () => undefined)
  socket.on('connect', () => socket.write(payload))
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  return withTimeout(closed, timeoutMs, 'the gateway to close the socket')
}

function healthyScript(): string {
  return `i=0; while [ $i -lt ${HEALTHY_LINES} ]; do echo line$i; i=$((i+1)); ` +
    'sleep 0.02; done'
}

function expectedHealthyOutput(): string {
  return Array.from({ length: HEALTHY_LINES }, (_, i) => `line${i}\n`).join('')
}

function describeHostileInput(daemon: Daemon): void {
  describe(`hostile input on ${daemon.name}`, function () {
    this.timeout(120000)
    let gateway: Gateway
    let healthy: Running

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      gateway = await startGateway({ backend: daemon.socket, logLevel: 'info' })
      healthy = startSsh(gateway, { user: 'c1', command: healthyScript(), timeoutMs: 110000 })
    })

    afterEach(async () => {
      expect(gateway.child.exitCode, 'the gateway is still running').to.equal(null)
      const r = await runSsh(gateway, { user: 'c1', command: 'echo alive' })
      expect(r.stdout.toString(), `a new session (${r.stderr})`).to.equal('alive\n')
    })

    after(async function () {
      this.timeout(30000)
      healthy?.child.kill('SIGKILL')
      await gateway?.stop()
    })

    describe('before authentication', () => {
      it('closes a connection that sends HTTP instead of SSH', async () => {
        await socketClosed(gateway.port, Buffer.from('GET / HTTP/1.1\r\nHost: gw\r\n\r\n'), 5000)
      })

      it('closes a connection that sends random bytes after a valid banner', async () => {
        const payload = Buffer.concat([Buffer.from('SSH-2.0-fuzz\r\n'), Buffer.alloc(65536, 0xa5)])
        await socketClosed(gateway.port, payload, 5000)
      })

      it('survives 10,000 unauthenticated connections opened as fast as it can take them',
        async () => {
          let settled = 0
          for (let wave = 0; wave < 20; wave++) {
            const sockets = Array.from({ length: 500 }, () => {
              const socket = connect(gateway.port, '127.0.0.1')
              socket.on('error', () => undefined)
              socket.on('data', () => socket.destroy())
              return new Promise<void>((resolve) => socket.once('close', () => {
                settled += 1
                resolve()
              }))
            })
            await withTimeout(Promise.all(sockets), 30000, `wave ${wave} to settle`)
          }
          expect(settled).to.equal(10000)
          const drops = gateway.events('connection_dropped')
          expect(drops.length, 'drop lines, one per burst, not one per connection')
            .to.be.within(1, 20)
          expect(drops.every((line) => line.level === 40), 'at warn').to.equal(true)
        })

      it('refuses 100 failed authentications a second for 3 s, each one', async () => {
        const dir = gateway.dir
        const wrong = await makeClientKey(dir, 'wrong-key')
        const privateKey = readFileSync(wrong.path)
        const attempts: Promise<string>[] = []
        for (let tick = 0; tick < 30; tick++) {
          for (let i = 0; i < 10; i++) {
            attempts.push(connectAndEnd(gateway, { username: 'c1', privateKey }))
          }
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        const outcomes = await Promise.all(attempts)
        expect(outcomes.filter((o) => o === 'ready'), 'none got in').to.have.length(0)
      })

      it('refuses a username that is not valid UTF-8', async () => {
        const outcome = await withRawUsername(INVALID_UTF8, () => connectAndEnd(gateway, {
          username: 'c'.repeat(INVALID_UTF8.length),
          privateKey: readFileSync(gateway.keyPath),
        }))
        expect(outcome).to.not.equal('ready')
        // Logged with every byte that is not printable ASCII shown as '?'.
        const refused = await gateway.waitForLog('auth_refused', { user: 'c???(?' }, 5000)
        expect(refused.reason).to.equal('"c???(?" is not a valid container name')
      })

      it('refuses a username of 10 KB', async () => {
        const outcome = await connectAndEnd(gateway, {
          username: 'a'.repeat(10240),
          privateKey: readFileSync(gateway.keyPath),
        })
        expect(outcome).to.not.equal('ready')
      })

    })

    describe('after authentication', () => {
      let conn: Client

      beforeEach(async () => {
        conn = await connectSsh2(gateway, 'c1')
      })

      afterEach(() => conn.end())

      it('runs the command after 10,000 env requests, logging the refusal once', async () => {
        const env: Record<string, string> = {}
        for (let i = 0; i < 10000; i++) env[`V${i}`] = 'x'
        const before = gateway.events('request_refused').length
        const run = await execSsh2(conn, 'echo ok', { env })
        const exit = await run.waitForClose(30000)
        expect(run.output()).to.equal('ok\n')
        expect(exit.code).to.equal(0)
        const refusals = gateway.events('request_refused').length - before
        expect(refusals, 'refusal lines for 10,000 requests').to.be.within(1, 2)
      })

      it('drops a connection that sends an env value of 1 MB, and only that one', async () => {
        const ended = new Promise<void>((resolve) => conn.once('close', () => resolve()))
        conn.on('error', () => undefined)
        conn.exec('echo never', { env: { LANG: 'x'.repeat(1024 * 1024) } }, ignore)
        await withTimeout(ended, 10000, 'the connection to be dropped')
      })

      it('drops a connection that sends an exec string of 1 MB', async () => {
        const ended = new Promise<void>((resolve) => conn.once('close', () => resolve()))
        conn.on('error', () => undefined)
        conn.exec(`echo ${'x'.repeat(1024 * 1024)}`, ignore)
        await withTimeout(ended, 10000, 'the connection to be dropped')
      })

      it('refuses an exec request with a NUL byte, and the connection goes on', async () => {
        const refused = await execSsh2(conn, 'echo a\u0000; echo b').then(() => false, () => true)
        expect(refused, 'the exec request was refused').to.equal(true)
        const run = await execSsh2(conn, 'echo next')
        await run.waitForClose()
        expect(run.output()).to.equal('next\n')
        const lines = gateway.events('request_refused')
        const line = lines.find((l) => l.detail === 'NUL byte in command')
        expect(line, 'the refusal is logged with its reason').to.not.equal(undefined)
      })

      for (const [rows, cols] of [[0, 0], [65535, 65535], [1, 1]]) {
        it(`gives a working terminal for pty-req ${rows}x${cols}`, async () => {
          const run = await execSsh2(conn, 'echo tty-ok', { pty: { rows, cols, term: 'xterm' } })
          const exit = await run.waitForClose()
          expect(run.output()).to.include('tty-ok')
          expect(exit.code).to.equal(0)
        })
      }

      it('ignores a window-change on a session without a pty', async () => {
        const run = await execSsh2(conn, 'sleep 0.3; echo still-fine')
        run.channel.setWindow(50, 200, 0, 0)
        const exit = await run.waitForClose()
        expect(run.output()).to.equal('still-fine\n')
        expect(exit.code).to.equal(0)
      })

      it('runs only the first of two exec requests, and ignores env after exec', async () => {
        const run = await execSsh2(conn, 'sleep 0.5; echo first; echo "${LC_HOSTILE-unset}"')
        rawProtocol(conn).exec(remoteId(run.channel), 'echo second', false)
        rawProtocol(conn).env(remoteId(run.channel), 'LC_HOSTILE', 'late', false)
        const exit = await run.waitForClose()
        expect(run.output()).to.equal('first\nunset\n')
        expect(exit.code).to.equal(0)
      })

      it('ignores unknown signal names and still delivers a known one', async () => {
        const run = await execSsh2(conn, 'echo started; sleep 30')
        await run.waitForOutput(/started/)
        for (const name of UNKNOWN_SIGNALS) rawProtocol(conn).signal(remoteId(run.channel), name)
        await new Promise((resolve) => setTimeout(resolve, 300))
        rawProtocol(conn).signal(remoteId(run.channel), 'TERM')
        const exit = await run.waitForClose()
        expect(exit.code).to.equal(143)
      })

      it('answers 1,000 channels on one connection: at most ssh.maxSessions at once', async () => {
        const opened = await Promise.all(Array.from({ length: 1000 }, () =>
          execSsh2(conn, 'sleep 1; echo done').then((run) => run, () => undefined)))
        const runs = opened.filter((run) => run !== undefined)
        expect(runs.length, 'channels accepted').to.be.within(1, 10)
        const exits = await Promise.all(runs.map((run) => run!.waitForClose(30000)))
        expect(exits.every((exit) => exit.code === 0), 'each accepted one ran').to.equal(true)
        expect(runs.every((run) => run!.output() === 'done\n')).to.equal(true)
      })
    })

    describe('alongside', () => {
      it('kept the healthy session\'s output exact through all of it', async () => {
        const r = await healthy.done
        expect(r.code, r.stderr).to.equal(0)
        expect(r.stdout.toString()).to.equal(expectedHealthyOutput())
      })
    })
  })
}

for (const daemon of DAEMONS) describeHostileInput(daemon)
