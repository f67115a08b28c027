import type { Logger } from 'pino'

import { ErrorCode, GatewayError } from '../errors'
import { settlesWithin } from './wait'
import type { ExecProcess, ExitResult } from '../backend/types'

/** After leftovers were ended: how long output may stand still before execgate gives up. */
const STALL_MS = 5000

/** How the session's output is moving toward the client, for telling a stall from a slow reader. */
export interface OutputProgress {
  /** When output last moved toward the client (a write, or the client's window opening). */
  lastProgressAt(): number
  /** Whether output is queued for a client that has not read it yet. */
  waitingForClient(): boolean
}

/**
 * The drain policy. Output and the exit status normally arrive together. When the main
 * process has exited but something still holds its output open, wait drainMs, then end the
 * processes that hold it (on daemons that do not cut it themselves) and wait for the status.
 */
export async function awaitExit(
  process: ExecProcess,
  drainMs: number,
  progress: OutputProgress,
  log: Logger,
): Promise<ExitResult> {
  const exitedFirst = await Promise.race([
    process.finished.then(() => false),
    process.exited.then(() => true),
  ])
  if (!exitedFirst || (await settlesWithin(process.finished, drainMs))) {
    return process.finished
  }

  log.debug({ event: 'drain_bound_reached' }, 'output still held after exit')
  await process.releaseLeftovers()
  while (!(await settlesWithin(process.finished, 500))) {
    if (isStalled(progress)) throw statusUnavailable()
  }
  return process.finished
}

/** A client that is slow to read is not a stall: only output that stands still is. */
function isStalled(progress: OutputProgress): boolean {
  return !progress.waitingForClient() && Date.now() - progress.lastProgressAt() > STALL_MS
}

function statusUnavailable(): GatewayError {
  return new GatewayError(
    ErrorCode.EXEC_LOST,
    'exit status did not arrive: processes outside the session still hold its output',
    { userMessage: 'exit status unavailable: background processes still hold the output' },
  )
}
