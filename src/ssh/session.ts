import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { AcceptConnection, RejectConnection, ServerChannel, Session } from 'ssh2'

import { LogThrottle } from '../log/throttle'
import { acceptsEnv, MAX_ENV_VARIABLES } from './env-policy'
import { SshSessionChannel } from './session-channel'
import { printable } from './printable'
import type { KeyRestrictions } from './key-options'
import type {
  ClientAddress,
  LoginTarget,
  SessionHandler,
  SessionRequest,
  TerminalRequest,
} from './types'

type Accept = (() => void) | undefined
type Reject = (() => void) | undefined

export interface SessionContext {
  login: LoginTarget
  /** What the key that authenticated may do: pty or not, a forced command. */
  restrictions: KeyRestrictions
  keyFingerprint?: string
  client: ClientAddress
  acceptEnv: string[]
  /** Subsystem names the handler serves; any other is refused as sshd refuses it. */
  subsystems: string[]
  handler: SessionHandler
  log: Logger
}

/** How often one session logs refusals of one kind of request. */
const REFUSAL_LOG_INTERVAL_MS = 10_000

/** Largest terminal dimension passed on; a client may claim anything up to 2^32. */
const MAX_TERMINAL_CELLS = 10_000

/**
 * The requests of one session channel, in the order RFC 4254 allows them: pty-req and env
 * before shell or exec, window-change and signal at any time after.
 */
export class SessionRequests {
  private terminal?: TerminalRequest
  private readonly env: Record<string, string> = {}
  private envCount = 0
  private channel?: SshSessionChannel
  private readonly log: Logger
  private readonly sessionId = randomBytes(6).toString('hex')
  private readonly refusalLog = new LogThrottle(REFUSAL_LOG_INTERVAL_MS)

  constructor(session: Session, private readonly context: SessionContext) {
    this.log = context.log.child({ sessionId: this.sessionId })
    session.on('pty', (accept, reject, info) => this.onPty(accept, reject, info))
    session.on('env', (accept, reject, info) => this.onEnv(accept, reject, info))
    session.on('window-change', (accept, _reject, info) => this.onWindowChange(accept, info))
    session.on('signal', (accept, reject, info) => this.onSignal(accept, reject, info.name))
    session.on('shell', (accept, reject) => this.onStart(accept, reject, 'shell'))
    session.on('exec', (accept, reject, info) => this.onStart(accept, reject, 'exec', info.command))
    // No 'sftp' listener: ssh2 then offers sftp as a plain subsystem with a raw channel,
    // instead of parsing the SFTP protocol itself.
    session.on('subsystem', (accept, reject, info) => this.onSubsystem(accept, reject, info.name))
    session.on('x11', (_accept, reject) => this.refuse(reject, 'x11-req'))
    session.on('auth-agent', (_accept, reject) => this.refuse(reject, 'auth-agent-req'))
  }

  private onPty(accept: Accept, reject: Reject, info: PtyInfo): void {
    if (this.channel || this.terminal) return this.refuse(reject, 'pty-req', 'repeated or late')
    if (!this.context.restrictions.permitPty) return this.refuse(reject, 'pty-req', 'no-pty')

    this.terminal = {
      term: sanitizeTerm(info.term),
      cols: clampCells(info.cols),
      rows: clampCells(info.rows),
    }
    this.log.debug({ event: 'pty_requested', ...this.terminal }, 'pty requested')
    accept?.()
  }

  private onEnv(accept: Accept, reject: Reject, info: { key: string; val: string }): void {
    const allowed = !this.channel
      && this.envCount < MAX_ENV_VARIABLES
      && acceptsEnv(this.context.acceptEnv, info.key, info.val)
    if (!allowed) return this.refuse(reject, 'env', printable(info.key))

    this.envCount += 1
    this.env[info.key] = info.val
    this.log.debug({ event: 'env_accepted', name: info.key }, 'env accepted')
    accept?.()
  }

  private onWindowChange(accept: Accept, info: { cols: number; rows: number }): void {
    const size = { cols: clampCells(info.cols), rows: clampCells(info.rows) }
    if (this.terminal) Object.assign(this.terminal, size)
    this.channel?.emit('window-change', size)
    accept?.()
  }

  private onSignal(accept: Accept, reject: Reject, name: string): void {
    if (!this.channel) return this.refuse(reject, 'signal', 'before shell or exec')
    this.channel.emit('signal', name)
    accept?.()
  }

  private onSubsystem(
    accept: AcceptConnection<ServerChannel>,
    reject: RejectConnection,
    name: string,
  ): void {
    // A forced command runs whatever was asked for, subsystems included, as in sshd.
    const forced = this.context.restrictions.command !== undefined
    if (!forced && !this.context.subsystems.includes(name)) {
      return this.refuse(reject, 'subsystem', printable(name))
    }
    this.onStart(accept, reject, 'subsystem', name)
  }

  private onStart(
    accept: AcceptConnection<ServerChannel>,
    reject: RejectConnection,
    kind: SessionRequest['kind'],
    command?: string,
  ): void {
    if (this.channel) return this.refuse(reject, kind, 'a program already runs')
    // No program can receive a NUL in its arguments; sshd drops such a request as malformed.
    if (command?.includes('\0')) return this.refuse(reject, kind, 'NUL byte in command')

    const raw = accept()
    if (!raw) return
    this.channel = new SshSessionChannel(raw)

    const request: SessionRequest = {
      sessionId: this.sessionId,
      login: this.context.login,
      kind,
      command,
      forcedCommand: this.context.restrictions.command,
      keyFingerprint: this.context.keyFingerprint,
      terminal: this.terminal && { ...this.terminal },
      env: { ...this.env },
      client: this.context.client,
    }
    this.context.handler(request, this.channel, this.log)
  }

  /** A client that floods one kind of request gets one log line per interval for it. */
  private refuse(reject: Reject | RejectConnection, request: string, detail?: string): void {
    reject?.()
    const admitted = this.refusalLog.admit(request)
    if (!admitted) return
    this.log.info(
      { event: 'request_refused', request, detail, heldBack: admitted.heldBack },
      'channel request refused',
    )
  }
}

interface PtyInfo {
  term: string
  cols: number
  rows: number
}

function clampCells(value: number): number {
  return Number.isInteger(value) && value > 0 ? Math.min(value, MAX_TERMINAL_CELLS) : 0
}

/** TERM reaches the container's environment, so only a plain name is passed on. */
function sanitizeTerm(term: string): string {
  return /^[A-Za-z0-9._+-]{1,64}$/.test(term) ? term : 'vt100'
}
