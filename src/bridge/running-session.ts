import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'

import { ErrorCode, GatewayError, isGatewayError, userMessageOf } from '../errors'
import { sessionEnvironment } from './environment'
import { forwardCoalesced } from './forward'
import { recordedSession } from './recorded-session'
import { awaitExit } from './drain-policy'
import { GATEWAY_FAILURE_STATUS, outcomeFor } from './exit-status'
import { SILENT_SESSION_OBSERVER } from '../metrics/observer'
import { SessionBytes } from './session-bytes'
import { clientStatus, sessionKind, sessionOutcome } from './session-report'
import { signalNumber } from './signals'
import { SessionLimits } from './session-limits'
import { chooseSftpRoute, shellQuote, spliceSftp } from './sftp'
import type {
  ExecBackend,
  ExecProcess,
  ExitResult,
  InstanceRef,
  TerminalSize,
} from '../backend/types'
import type { SftpServer } from '../config/schema'
import type { SessionRecorder, SessionTap } from '../recording/types'
import type { SessionLimitSettings } from './session-limits'
import type { SessionObserver } from '../metrics/observer'
import type { SessionChannel, SessionRequest } from '../ssh/types'
import type { OutputProgress } from './drain-policy'

export interface BridgeSettings {
  backend: ExecBackend
  drainMs: number
  sendExitSignal: boolean
  sftpServer: SftpServer
  /** Start a stopped instance for a session instead of refusing it. */
  autoStart: boolean
  autoStartTimeoutMs: number
  /** Records sessions; absent when recording is off. */
  recorder?: SessionRecorder
  /** Idle and maximum-length limits; 0 turns either off. */
  limits: SessionLimitSettings
  /** Told when each session starts and ends; absent means nobody counts. */
  observer?: SessionObserver
}

/** Errors that are the client's doing (a wrong name), logged at info rather than error. */
const CLIENT_FAULTS = new Set<string>([
  ErrorCode.INSTANCE_NOT_FOUND,
  ErrorCode.INSTANCE_NOT_RUNNING,
  ErrorCode.SESSION_FAILED,
  ErrorCode.SESSION_IDLE_TIMEOUT,
  ErrorCode.SESSION_TIME_LIMIT,
])

/** One SSH session run as one exec, from the request to the exit status. */
export class RunningSession {
  private process?: ExecProcess
  private terminalSize?: TerminalSize
  private readonly pendingSignals: number[] = []
  private readonly observer: SessionObserver
  private readonly bytes: SessionBytes
  private lastProgressAt = Date.now()
  private readonly progress: OutputProgress = {
    lastProgressAt: () => this.lastProgressAt,
    waitingForClient: () => this.channel.output.writableLength > 0,
  }
  private readonly startedAt = Date.now()
  private clientGone = false
  private readonly tap?: SessionTap
  private limits?: SessionLimits

  constructor(
    private readonly request: SessionRequest,
    private readonly channel: SessionChannel,
    private readonly settings: BridgeSettings,
    private readonly log: Logger,
  ) {
    this.observer = settings.observer ?? SILENT_SESSION_OBSERVER
    const kind = sessionKind(request)
    this.bytes = new SessionBytes((direction, count) =>
      this.observer.sessionBytes(kind, direction, count))
    channel.on('window-change', (size: TerminalSize) => this.onWindowChange(size))
    channel.on('signal', (name: string) => this.onSignal(name))
    channel.once('close', () => this.onClientGone())
    this.tap = settings.recorder?.begin(recordedSession(request), log)
  }

  async run(): Promise<void> {
    const { login, kind, terminal } = this.request
    this.log.info(
      { event: 'session_started', container: login.container, kind, pty: Boolean(terminal) },
      'session started',
    )
    this.observer.sessionStarted(sessionKind(this.request))

    let status = GATEWAY_FAILURE_STATUS
    let failureCode: string | undefined
    const limits = this.startLimits()
    try {
      status = (await this.executeWithin(limits)).status
      limits.stop()
      await this.channel.finish(outcomeFor(status, this.settings.sendExitSignal))
    } catch (err) {
      limits.stop()
      failureCode = await this.fail(err)
    }

    this.report(status, failureCode)
  }

  private report(status: number, failureCode?: string): void {
    const durationMs = Date.now() - this.startedAt
    this.observer.sessionEnded({
      kind: sessionKind(this.request),
      outcome: sessionOutcome(this.clientGone, failureCode),
      exitStatus: this.clientGone ? undefined : clientStatus(status),
      durationSeconds: durationMs / 1000,
    })
    const summary = {
      exitStatus: status,
      clientGone: this.clientGone,
      ...this.bytes.totals(),
      durationMs,
    }
    this.log.info({ event: 'session_ended', ...summary }, 'session ended')
    this.tap?.end(summary)
  }

  private startLimits(): SessionLimits {
    const bytesMoved = () => {
      const { bytesIn, bytesOut } = this.bytes.totals()
      return bytesIn + bytesOut
    }
    this.limits = new SessionLimits(this.settings.limits, bytesMoved)
    return this.limits
  }

  /** The exec's result, unless a limit runs out first; then its error. */
  private executeWithin(limits: SessionLimits): Promise<ExitResult> {
    const execution = this.execute()
    // When a limit wins the race, the exec is ended and whatever it settles to is moot.
    execution.catch(() => undefined)
    return Promise.race([execution, limits.reached])
  }

  /** Whether the session is past talking to the client: the client left or a limit ended it. */
  private isOver(): boolean {
    return this.clientGone || this.limits?.hasExpired === true
  }

  /** Starts a stopped instance when the gateway is configured to; the user is checked first. */
  private async startIfWanted(instance: InstanceRef): Promise<void> {
    const { autoStart, autoStartTimeoutMs, backend } = this.settings
    if (!autoStart) return

    const startedAt = Date.now()
    const outcome = await backend.startIfStopped(instance, autoStartTimeoutMs)
    if (outcome === 'started') {
      const durationMs = Date.now() - startedAt
      this.log.info({ event: 'instance_started', durationMs }, 'stopped container started')
    }
  }

  /** Ends the session's processes; used when the client is gone and at shutdown. */
  async terminate(): Promise<void> {
    await this.process?.terminate()
  }

  private async execute(): Promise<ExitResult> {
    const { backend } = this.settings
    const instance = { name: this.request.login.container, project: this.request.login.project }
    const user = await backend.lookupUser(instance, this.request.login.user ?? 'root')
    await this.startIfWanted(instance)

    // sshd runs a command as `shell -c command`, and a shell as a login shell.
    let script = this.request.kind === 'shell' ? undefined : this.request.command ?? ''
    if (this.request.forcedCommand !== undefined) {
      script = this.request.forcedCommand
    } else if (this.request.kind === 'subsystem') {
      const route = await chooseSftpRoute(backend, instance, user, this.settings.sftpServer)
      this.log.debug({ event: 'sftp_route', route: route.kind }, 'sftp route chosen')
      if (route.kind === 'daemon') return this.spliceDaemonSftp(instance)
      script = `exec ${shellQuote(route.path)}`
    }

    const process = await backend.exec({
      instance,
      shell: user.shell,
      script,
      env: sessionEnvironment(this.request, user),
      uid: user.uid,
      gid: user.gid,
      cwd: user.home,
      terminal: this.request.terminal && {
        cols: this.request.terminal.cols,
        rows: this.request.terminal.rows,
      },
      sessionTag: randomBytes(12).toString('hex'),
    })
    this.process = process
    this.tap?.started({ shell: user.shell, size: this.terminalSize ?? this.request.terminal })
    if (this.isOver()) await process.terminate()

    this.connectStreams(process)
    this.applyPending(process)
    const result = await awaitExit(process, this.settings.drainMs, this.progress, this.log)
    await this.checkStillRunning(instance, result)
    return result
  }

  /**
   * A container stopped under a session kills its processes, which the daemon reports as a
   * death by SIGKILL: the user would see 137 and no reason. When the container is gone, say so
   * and fail with 255, as for any failure of the gateway's side.
   */
  private async checkStillRunning(instance: InstanceRef, result: ExitResult): Promise<void> {
    if (result.status <= 128 || this.isOver()) return
    const running = await this.settings.backend.isRunning(instance).catch((err: unknown) => {
      this.log.debug({ err, event: 'instance_state_unknown' }, 'instance state unknown')
      return true
    })
    if (running) return

    throw new GatewayError(
      ErrorCode.INSTANCE_NOT_RUNNING,
      `instance "${instance.name}" stopped during the session (exit status ${result.status})`,
      { userMessage: `container "${instance.name}" stopped during the session` },
    )
  }

  private async spliceDaemonSftp(instance: InstanceRef): Promise<ExitResult> {
    const openSftp = this.settings.backend.openSftp?.bind(this.settings.backend)
    if (!openSftp) throw new Error('backend has no SFTP server')

    const stream = await openSftp(instance)
    if (this.isOver()) stream.destroy()
    return spliceSftp(stream, this.channel, this.bytes)
  }

  private connectStreams(process: ExecProcess): void {
    const { input, output, errorOutput } = this.channel
    input.on('data', (chunk: Buffer) => this.bytes.received(chunk.length))
    input.pipe(process.stdin)

    const countOutput = (chunk: Buffer) => {
      this.bytes.sent(chunk.length)
      this.lastProgressAt = Date.now()
      this.tap?.output(chunk)
    }
    forwardCoalesced(process.stdout, output, countOutput)
    if (process.stderr) forwardCoalesced(process.stderr, errorOutput, countOutput)
    output.on('drain', () => (this.lastProgressAt = Date.now()))
  }

  /** A resize or signal that arrived while the exec was being set up is applied now. */
  private applyPending(process: ExecProcess): void {
    const initial = this.request.terminal
    const size = this.terminalSize
    if (size && initial && (size.cols !== initial.cols || size.rows !== initial.rows)) {
      process.resize(size)
    }
    for (const signo of this.pendingSignals.splice(0)) process.signal(signo)
  }

  /** Tells the client, if it is still there; returns the failure's code. */
  private async fail(err: unknown): Promise<string> {
    const code = isGatewayError(err) ? err.code : ErrorCode.SESSION_FAILED
    const level = CLIENT_FAULTS.has(code) ? 'info' : 'error'
    this.log[level]({ err, event: 'session_failed', code }, 'session failed')

    if (!this.channel.isOpen) return code
    const newline = this.request.terminal ? '\r\n' : '\n'
    this.channel.errorOutput.write(`execgate: ${userMessageOf(err)}${newline}`)
    // A command a limit ends may still be printing; stopped first, its output cannot keep the
    // channel from draining, and the exit status goes out at once.
    if (this.limits?.hasExpired) await this.terminate()
    await this.channel.finish({ status: GATEWAY_FAILURE_STATUS })
    await this.process?.terminate()
    return code
  }

  private onWindowChange(size: TerminalSize): void {
    this.terminalSize = size
    this.process?.resize(size)
    this.tap?.resize(size)
  }

  private onSignal(name: string): void {
    const signo = signalNumber(name)
    if (signo === undefined) {
      this.log.info({ event: 'signal_unknown', signal: name.slice(0, 32) }, 'unknown signal')
      return
    }
    if (this.process) this.process.signal(signo)
    else this.pendingSignals.push(signo)
  }

  private onClientGone(): void {
    if (this.clientGone) return
    this.clientGone = true
    this.process?.terminate().catch((err: unknown) => {
      this.log.warn({ err, event: 'terminate_failed' }, 'could not end session processes')
    })
  }
}

