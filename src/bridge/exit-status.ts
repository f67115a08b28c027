import { signalName } from './signals'
import type { SessionOutcome } from '../ssh/types'

/** The status execgate reports for its own failures, as OpenSSH's client does for its own. */
export const GATEWAY_FAILURE_STATUS = 255

/**
 * What the client is told for a daemon's exit status. Statuses outside 0..255 (LXD returns -1
 * for a process it could not start) become 255; 128+n stays an exit-status unless the operator
 * asked for RFC exit-signal, which OpenSSH's client turns into a silent 255.
 */
export function outcomeFor(status: number, sendExitSignal: boolean): SessionOutcome {
  if (!Number.isInteger(status) || status < 0 || status > 255) {
    return { status: GATEWAY_FAILURE_STATUS }
  }

  const name = status > 128 ? signalName(status - 128) : undefined
  if (sendExitSignal && name) return { signal: name, coreDumped: false }
  return { status }
}
