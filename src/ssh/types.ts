import type { EventEmitter } from 'node:events'
import type { Readable, Writable } from 'node:stream'
import type { Logger } from 'pino'

/** Who the client asked to be, parsed from the SSH login name. */
export interface LoginTarget {
  /** The login name exactly as sent. */
  raw: string
  /** User inside the container; undefined means the configured default. */
  user?: string
  container: string
  project?: string
}

export interface TerminalRequest {
  term: string
  cols: number
  rows: number
}

export interface ClientAddress {
  remoteAddress: string
  remotePort: number
  localAddress: string
  localPort: number
}

/** Everything the client asked for by the time it sent shell, exec or subsystem. */
export interface SessionRequest {
  sessionId: string
  login: LoginTarget
  kind: 'shell' | 'exec' | 'subsystem'
  /** The exec request's command, or the subsystem's name; undefined for a shell. */
  command?: string
  /**
   * The key's forced command (authorized_keys command=, a certificate's force-command): it runs
   * whatever the client asked for, which reaches it as SSH_ORIGINAL_COMMAND.
   */
  forcedCommand?: string
  /** SHA256 fingerprint of the key (a certificate's certified key) that authenticated. */
  keyFingerprint?: string
  terminal?: TerminalRequest
  /** Variables the client sent that the AcceptEnv policy let through. */
  env: Record<string, string>
  client: ClientAddress
}

/** How a session ended, as the client is told. */
export type SessionOutcome =
  | { status: number }
  | { signal: string; coreDumped: boolean }

/**
 * One SSH session channel, from the bridge's side. Events: 'window-change' (TerminalSize),
 * 'signal' (RFC 4254 name without "SIG"), 'close' (the client closed it or went away).
 */
export interface SessionChannel extends EventEmitter {
  /** Bytes from the client; ends when the client sends EOF. */
  readonly input: Readable
  readonly output: Writable
  readonly errorOutput: Writable
  readonly isOpen: boolean
  /** Sends the outcome after all queued output, then EOF and CLOSE. */
  finish(outcome: SessionOutcome): Promise<void>
}

/** The gateway's side of a session: given the request and the channel, runs it to the end. */
export type SessionHandler = (
  request: SessionRequest,
  channel: SessionChannel,
  log: Logger,
) => void
