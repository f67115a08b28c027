import { expect } from 'chai'
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'

import { createLogger } from '../../../src/log/logger'
import { RunningSession } from '../../../src/bridge/running-session'
import type { BridgeSettings } from '../../../src/bridge/running-session'
import type { SessionLimitSettings } from '../../../src/bridge/session-limits'
import type {
  ExecBackend,
  ExecProcess,
  ExitResult,
  InstanceUser,
} from '../../../src/backend/types'
import type { SessionChannel, SessionOutcome, SessionRequest } from '../../../src/ssh/types'

/** A fake exec: output is pushed by the test, and it exits when told or when terminated. */
class FakeProcess implements ExecProcess {
  readonly stdin = new PassThrough()
  readonly stdout = new PassThrough()
  readonly stderr = new PassThrough()
  readonly exited: Promise<void>
  readonly finished: Promise<ExitResult>
  terminated = false
  private exit!: (result: ExitResult) => void

  constructor() {
    this.finished = new Promise((resolve) => (this.exit = resolve))
    this.exited = this.finished.then(() => undefined)
    this.stdin.resume()
  }

  end(status: number): void {
    this.stdout.end()
    this.stderr.end()
    this.exit({ status })
  }

  resize(): void {}
  signal(): void {}
  async releaseLeftovers(): Promise<void> {}

  async terminate(): Promise<void> {
    if (this.terminated) return
    this.terminated = true
    this.end(137)
  }
}

/** A fake daemon with one container whose root exec is a FakeProcess. */
class FakeBackend implements Partial<ExecBackend> {
  readonly kind = 'fake'
  readonly processes: FakeProcess[] = []
  lookupDelayMs = 0

  async lookupUser(): Promise<InstanceUser> {
    await new Promise((resolve) => setTimeout(resolve, this.lookupDelayMs))
    return { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' }
  }

  async exec(): Promise<ExecProcess> {
    const process = new FakeProcess()
    this.processes.push(process)
    return process
  }

  async isRunning(): Promise<boolean> {
    return true
  }
}

/** A fake SSH channel that records what the bridge tells the client. */
class FakeChannel extends EventEmitter implements SessionChannel {
  readonly input = new PassThrough()
  readonly output = new PassThrough()
  readonly errorOutput = new PassThrough()
  isOpen = true
  outcome?: SessionOutcome
  /** Whether the exec was already terminated when the outcome was sent. */
  terminatedFirst?: boolean
  stderrText = ''

  constructor(private readonly backend: FakeBackend) {
    super()
    this.output.resume()
    this.errorOutput.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString()))
  }

  async finish(outcome: SessionOutcome): Promise<void> {
    this.outcome = outcome
    this.terminatedFirst = this.backend.processes[0]?.terminated
    this.isOpen = false
  }
}

function requestFor(pty: boolean): SessionRequest {
  return {
    sessionId: 'test',
    login: { raw: 'c1', container: 'c1' },
    kind: 'exec',
    command: 'whatever',
    terminal: pty ? { term: 'xterm', cols: 80, rows: 24 } : undefined,
    env: {},
    client: { remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2 },
  }
}

const silentLog = createLogger('silent')

/** Runs one session through RunningSession against the fakes. */
function runSession(limits: SessionLimitSettings, pty = false, lookupDelayMs = 0) {
  const backend = new FakeBackend()
  backend.lookupDelayMs = lookupDelayMs
  const channel = new FakeChannel(backend)
  const settings: BridgeSettings = {
    backend: backend as unknown as ExecBackend,
    drainMs: 100,
    sendExitSignal: false,
    sftpServer: 'daemon',
    autoStart: false,
    autoStartTimeoutMs: 1000,
    limits,
  }
  const session = new RunningSession(requestFor(pty), channel, settings, silentLog)
  const startedAt = Date.now()
  const done = session.run().then(() => Date.now() - startedAt)
  return { backend, channel, done }
}

async function firstProcess(backend: FakeBackend): Promise<FakeProcess> {
  while (backend.processes.length === 0) await new Promise((resolve) => setImmediate(resolve))
  return backend.processes[0]
}

describe('RunningSession limits (fake exec and channel)', () => {
  it('ends an idle session with its reason on stderr and 255, ending the exec first', async () => {
    const { backend, channel, done } = runSession({ idleMs: 200, maxSessionMs: 0 })

    const elapsed = await done

    expect(channel.stderrText).to.equal('execgate: session idle for 0.2 s, closing\n')
    expect(channel.outcome).to.deep.equal({ status: 255 })
    expect(channel.terminatedFirst, 'exec ended before the status').to.equal(true)
    expect(backend.processes[0].terminated, 'exec ended').to.equal(true)
    expect(elapsed, 'ms').to.be.within(200, 600)
  })

  it('ends the line with CRLF under a pty', async () => {
    const { channel, done } = runSession({ idleMs: 100, maxSessionMs: 0 }, true)
    await done
    expect(channel.stderrText).to.equal('execgate: session idle for 0.1 s, closing\r\n')
  })

  it('lets a session that keeps printing outlive the idle time and end with its status',
    async () => {
      const { backend, channel, done } = runSession({ idleMs: 150, maxSessionMs: 0 })
      const process = await firstProcess(backend)
      const printer = setInterval(() => process.stdout.write('tick\n'), 40)
      await new Promise((resolve) => setTimeout(resolve, 500))
      clearInterval(printer)
      process.end(0)

      await done
      expect(channel.stderrText, 'stderr').to.equal('')
      expect(channel.outcome).to.deep.equal({ status: 0 })
    })

  it('counts input from the client as data', async () => {
    const { backend, channel, done } = runSession({ idleMs: 150, maxSessionMs: 0 })
    const process = await firstProcess(backend)
    const typist = setInterval(() => channel.input.write('key'), 40)
    await new Promise((resolve) => setTimeout(resolve, 500))
    clearInterval(typist)
    process.end(0)

    await done
    expect(channel.outcome).to.deep.equal({ status: 0 })
  })

  it('ends a busy session at the maximum length, ending the exec first', async () => {
    const { backend, channel, done } = runSession({ idleMs: 0, maxSessionMs: 250 })
    const process = await firstProcess(backend)
    const printer = setInterval(() => process.stdout.write('tick\n'), 20)

    const elapsed = await done
    clearInterval(printer)

    expect(channel.stderrText)
      .to.equal('execgate: session reached its maximum length of 0.25 s, closing\n')
    expect(channel.outcome).to.deep.equal({ status: 255 })
    expect(channel.terminatedFirst, 'exec ended before the status').to.equal(true)
    expect(elapsed, 'ms').to.be.within(250, 600)
  })

  it('ends an exec that only starts after a limit ended its session', async () => {
    const { backend, channel, done } = runSession({ idleMs: 100, maxSessionMs: 0 }, false, 300)

    await done
    expect(channel.outcome, 'ended before the exec').to.deep.equal({ status: 255 })
    const process = await firstProcess(backend)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(process.terminated, 'late exec ended').to.equal(true)
  })
})
