import { GATEWAY_FAILURE_STATUS, outcomeFor } from './exit-status'
import type { SessionKind } from '../metrics/observer'
import type { SessionRequest } from '../ssh/types'

/**
 * The kind a session is counted as. Only sftp is served as a subsystem of its own; any other
 * name reaches the bridge only through a forced command, and is not passed on as a label,
 * since a client may send any name it likes.
 */
export function sessionKind(request: SessionRequest): SessionKind {
  if (request.kind !== 'subsystem') return request.kind
  return request.command === 'sftp' ? 'sftp' : 'subsystem'
}

/** `client_gone` wins: a session whose client left fails as a consequence, not as a cause. */
export function sessionOutcome(clientGone: boolean, failureCode: string | undefined): string {
  if (clientGone) return 'client_gone'
  return failureCode === undefined ? 'exited' : failureCode.toLowerCase()
}

/** The status as the client is sent it: anything outside 0..255 became 255. */
export function clientStatus(status: number): number {
  const outcome = outcomeFor(status, false)
  return 'status' in outcome ? outcome.status : GATEWAY_FAILURE_STATUS
}
