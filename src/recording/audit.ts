import type { Logger } from 'pino'

import type { RecordedSession, SessionSummary } from './types'

/** Commands longer than this are cut in the audit line; the recording, if any, has it all. */
const MAX_LOGGED_COMMAND = 2048

/**
 * The `exec_audit` line of a session without a terminal: who, where, what, and how it ended.
 * The command is logged as sent, cut at a length bound; a secret passed on a command line
 * (`mysql -pPASSWORD`) lands here as it lands in the container's process list.
 */
export function logExecAudit(
  log: Logger,
  session: RecordedSession,
  summary: SessionSummary,
  recording?: string,
): void {
  log.info(
    {
      event: 'exec_audit',
      login: session.login,
      keyFingerprint: session.keyFingerprint,
      clientAddress: session.clientAddress,
      container: session.container,
      project: session.project,
      targetUser: session.user,
      kind: session.kind,
      command: bounded(session.command),
      forcedCommand: bounded(session.forcedCommand),
      ...summary,
      recording,
    },
    'exec audit',
  )
}

function bounded(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_LOGGED_COMMAND) return text
  return `${text.slice(0, MAX_LOGGED_COMMAND)}…`
}
