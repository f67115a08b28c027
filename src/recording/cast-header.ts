import type { AsciicastHeader } from './asciicast'
import type { ProgramStart, RecordedSession, TerminalDimensions } from './types'

/** The size written for a session without a terminal, which asciicast still requires. */
const NO_TERMINAL_SIZE: TerminalDimensions = { cols: 80, rows: 24 }

/** The asciicast header of a session, with who and where as extra keys. */
export function castHeader(
  session: RecordedSession,
  program: ProgramStart,
  startedAt: Date,
): AsciicastHeader {
  const size = usableSize(program.size ?? session.terminal)
  return {
    version: 2,
    width: size.cols,
    height: size.rows,
    timestamp: Math.floor(startedAt.getTime() / 1000),
    command: session.forcedCommand ?? session.command,
    title: `${session.user}@${session.container}`,
    env: { TERM: session.terminal?.term, SHELL: program.shell },
    user: session.user,
    container: session.container,
    project: session.project,
    login: session.login,
    sessionId: session.sessionId,
    keyFingerprint: session.keyFingerprint,
    pty: session.terminal !== undefined,
  }
}

/** A client may send a pty-req of 0x0 ("unknown"); players need a real size. */
function usableSize(size: TerminalDimensions | undefined): TerminalDimensions {
  if (!size || size.cols < 1 || size.rows < 1) return NO_TERMINAL_SIZE
  return { cols: size.cols, rows: size.rows }
}
