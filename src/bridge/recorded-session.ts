import type { RecordedSession } from '../recording/types'
import type { SessionRequest } from '../ssh/types'

/** What a recorder is told about a session: plain values, nothing of the channel. */
export function recordedSession(request: SessionRequest): RecordedSession {
  const { login, terminal } = request
  return {
    sessionId: request.sessionId,
    login: login.raw,
    user: login.user ?? 'root',
    container: login.container,
    project: login.project,
    keyFingerprint: request.keyFingerprint,
    clientAddress: request.client.remoteAddress,
    kind: request.kind,
    command: request.command,
    forcedCommand: request.forcedCommand,
    terminal: terminal && { term: terminal.term, cols: terminal.cols, rows: terminal.rows },
  }
}
