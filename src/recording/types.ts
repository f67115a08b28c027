import type { Logger } from 'pino'

/**
 * The contract between the bridge and a recorder. The bridge describes each session with
 * these plain values and never learns where or how a recording is kept; a recorder never sees
 * an SSH channel or a daemon. Every method returns at once and never throws: a recording that
 * fails stops, and the session goes on.
 */
export interface SessionRecorder {
  /** Called when a session starts, before its program does. */
  begin(session: RecordedSession, log: Logger): SessionTap
}

/** One session's feed into its recording. */
export interface SessionTap {
  /** The program now runs; nothing is written before this. */
  started(program: ProgramStart): void
  /** Bytes the client was sent (stdout and stderr; a terminal has only the one stream). */
  output(chunk: Buffer): void
  /** The client's terminal has a new size. */
  resize(size: TerminalDimensions): void
  /** The session is over, the client has been told its outcome. */
  end(summary: SessionSummary): void
}

export interface TerminalDimensions {
  cols: number
  rows: number
}

/** Who ran what, where: what the bridge knows when the session starts. */
export interface RecordedSession {
  sessionId: string
  /** The login name as the client sent it (`alice@web1`). */
  login: string
  /** The user inside the container. */
  user: string
  container: string
  project?: string
  /** SHA256 fingerprint of the key (or certified key) that authenticated. */
  keyFingerprint?: string
  clientAddress: string
  kind: 'shell' | 'exec' | 'subsystem'
  /** The exec command or subsystem name the client asked for. */
  command?: string
  /** The key's forced command, which ran instead. */
  forcedCommand?: string
  terminal?: TerminalDimensions & { term: string }
}

export interface ProgramStart {
  /** The user's login shell in the container. */
  shell: string
  /** The terminal's size as the program starts (it may have changed since the pty-req). */
  size?: TerminalDimensions
}

export interface SessionSummary {
  exitStatus: number
  bytesIn: number
  bytesOut: number
  durationMs: number
  clientGone: boolean
}
