import type { Dialect } from './dialect'
import type { ExecSpec } from '../types'

/**
 * Runs after the script on daemons that lose a terminal's last output: the shell keeps the
 * script's status, waits a moment for the daemon to send what it has read, then exits with it.
 */
const TERMINAL_TAIL = '\n__execgate_status=$?; sleep 0.1 2>/dev/null; exit $__execgate_status'

/**
 * The argv of an exec: `shell -c script`, or `shell -l` for a login shell. LXD before 5.0.3
 * drops terminal output it has read but not yet sent when the process exits (the tail of
 * `seq 1 10000` went missing in about 1 run in 10 here), so there a script under a terminal
 * gets the tail above. A script that ends in `exit` or `exec` skips it and keeps that risk.
 */
export function commandLine(spec: ExecSpec, dialect: Dialect): string[] {
  if (spec.script === undefined) return [spec.shell, '-l']

  const needsTail = spec.terminal !== undefined && dialect.losesTerminalTail
  return [spec.shell, '-c', needsTail ? `${spec.script}${TERMINAL_TAIL}` : spec.script]
}
