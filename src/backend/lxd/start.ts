import { DaemonRequestError } from './http'
import { instancePath } from './paths'
import { instanceStatus } from './status'
import type { DaemonHttp } from './http'
import type { InstanceRef, StartOutcome } from '../types'

interface Operation {
  status: string
  err?: string
}

/**
 * Starts a stopped instance and waits for it, at most `timeoutMs`. Two sessions may race to
 * start the same instance; the loser's "already running" is success, not an error.
 */
export async function startIfStopped(
  http: DaemonHttp,
  instance: InstanceRef,
  timeoutMs: number,
): Promise<StartOutcome> {
  if (await instanceStatus(http, instance) === 'Running') return 'running'

  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000))
  try {
    const started = await http.json('PUT', instancePath(instance, 'state'), {
      action: 'start',
      timeout: seconds,
    })
    await waitForStart(http, started.operation, seconds)
  } catch (err) {
    // Another start of the same instance (by another gateway, say) makes the daemon refuse
    // ours as busy or already running; what counts is that the instance comes up in time.
    if (!await becomesRunning(http, instance, Date.now() + timeoutMs)) throw err
  }
  return 'started'
}

async function becomesRunning(http: DaemonHttp, instance: InstanceRef, deadline: number) {
  for (;;) {
    if (await instanceStatus(http, instance) === 'Running') return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function waitForStart(http: DaemonHttp, operation: string | undefined, seconds: number) {
  if (!operation) return

  const path = `${operation}/wait?timeout=${seconds}`
  const waited = await http.json<Operation>('GET', path, undefined, (seconds + 5) * 1000)
  const { status, err } = waited.metadata
  if (status === 'Success') return

  const reason = status === 'Running' ? `not running after ${seconds} s` : err || status
  throw new DaemonRequestError(500, `start failed: ${reason}`, path)
}
