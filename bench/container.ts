import { setTimeout as sleep } from 'node:timers/promises'
import { output } from './spawn'
import type { Bench } from './types'

/** What identifies one life of the container: a restart or re-creation changes its init pid. */
export interface ContainerLife {
  status: string
  pid: number | undefined
}

/** The container's status and init pid, as the daemon reports them. */
export async function containerLife(bench: Bench): Promise<ContainerLife> {
  try {
    const path = `/1.0/instances/${bench.container}/state`
    const state = JSON.parse(await output({ cmd: bench.daemon.cli, args: ['query', path] },
      15_000)) as { status?: string, pid?: number }
    return { status: state.status ?? 'unknown', pid: state.pid }
  } catch (err) {
    return { status: `unknown (${String(err).slice(0, 80)})`, pid: undefined }
  }
}

/**
 * Waits up to 60 s for the container to run: other work on this machine (test suites, set-up
 * scripts) may be re-creating it. Returns its life then.
 */
export async function runningContainer(bench: Bench): Promise<ContainerLife> {
  const deadline = Date.now() + 60_000
  let life = await containerLife(bench)
  while (life.status !== 'Running' && Date.now() < deadline) {
    await sleep(1000)
    life = await containerLife(bench)
  }
  if (life.status !== 'Running') {
    throw new Error(`container ${bench.container} is ${life.status}, not running`)
  }
  return life
}

/** Why a case's figures are suspect, when the container changed under it; else undefined. */
export function disturbance(before: ContainerLife, after: ContainerLife): string | undefined {
  if (after.status === 'Running' && after.pid === before.pid) return undefined
  return `container restarted or re-created during the case by something else ` +
    `(init pid ${before.pid} -> ${after.pid}, now ${after.status}): figures unreliable`
}
