/**
 * The narrow interfaces through which the SSH side, the bridge and the backends report what
 * happens. They hold no metrics library: a component is handed one of these and never learns
 * what, if anything, counts its reports.
 */

/** Why the gateway itself cut a connection. */
export type DropReason = 'max_unauthenticated' | 'login_grace_time' | 'max_auth_tries'

/** What became of one authentication request. */
export type AuthResult = 'accepted' | 'refused' | 'key_ok' | 'error'

/** What the SSH server reports; it knows nothing of daemons. */
export interface SshObserver {
  connectionAccepted(): void
  connectionAuthenticated(): void
  connectionDropped(reason: DropReason): void
  /** Once per accepted connection, when its socket closes. */
  connectionClosed(authenticated: boolean): void
  authRequest(method: string, result: AuthResult): void
}

/** Shell, exec, the sftp subsystem, or another subsystem run by a forced command. */
export type SessionKind = 'shell' | 'exec' | 'sftp' | 'subsystem'

/** One session as it ended. */
export interface SessionReport {
  kind: SessionKind
  /** `exited`, `client_gone`, or the lowercased error code of the failure. */
  outcome: string
  /** The status the client was sent; absent when the client was gone. */
  exitStatus?: number
  durationSeconds: number
}

/** What the bridge reports about sessions. */
export interface SessionObserver {
  sessionStarted(kind: SessionKind): void
  /** Session data that passed, `in` from the client or `out` to it, as it passes. */
  sessionBytes(kind: SessionKind, direction: 'in' | 'out', count: number): void
  sessionEnded(report: SessionReport): void
}

/** One answered REST call to a daemon. */
export interface BackendRequestReport {
  /** The daemon family: lxd, incus. */
  daemon: string
  method: string
  /** The path with names and ids replaced by placeholders, so it stays a bounded label. */
  route: string
  durationSeconds: number
}

/** Why a daemon call failed: no answer at all, or an HTTP 5xx. */
export type BackendFailure = 'unreachable' | 'server_error'

/** What one named backend reports; the name is bound by whoever hands the observer out. */
export interface BackendObserver {
  requestFinished(report: BackendRequestReport): void
  requestFailed(daemon: string, failure: BackendFailure): void
}

/** Reports nothing; what components use when no observer is given. */
export const SILENT_SSH_OBSERVER: SshObserver = {
  connectionAccepted: () => undefined,
  connectionAuthenticated: () => undefined,
  connectionDropped: () => undefined,
  connectionClosed: () => undefined,
  authRequest: () => undefined,
}

export const SILENT_SESSION_OBSERVER: SessionObserver = {
  sessionStarted: () => undefined,
  sessionBytes: () => undefined,
  sessionEnded: () => undefined,
}
