import { performance } from 'node:perf_hooks'
import { containerLife, disturbance, runningContainer } from './container'
import { shortError } from './format'
import { killAll } from './spawn'
import type { ContainerLife } from './container'
import type { Plan } from './plan'
import type { Bench, CaseResult } from './types'

/** What a case's run returns; runCase adds id, title and timing. */
export type CaseOutcome = Omit<CaseResult, 'id' | 'title' | 'seconds'>

/** One benchmark case. */
export interface BenchCase {
  id: string
  title(plan: Plan): string
  /** Upper bound of the whole case; past it the case is reported as failed and abandoned. */
  timeoutMs(plan: Plan): number
  run(bench: Bench, plan: Plan, signal: AbortSignal): Promise<CaseOutcome>
}

/** Runs a case within its time bound; a throw or a timeout becomes a failed result. */
export async function runCase(c: BenchCase, bench: Bench, plan: Plan): Promise<CaseResult> {
  const title = c.title(plan)
  process.stdout.write(`\n== ${title}\n`)
  const startedAt = performance.now()
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`case timed out after ${c.timeoutMs(plan) /
      1000} s`)), c.timeoutMs(plan))
  })
  let outcome: CaseOutcome
  let before: ContainerLife | undefined
  try {
    before = await runningContainer(bench)
    outcome = await Promise.race([c.run(bench, plan, abort.signal), timeout])
  } catch (err) {
    abort.abort()
    killAll()
    outcome = failedOutcome(err)
    process.stdout.write(`  FAILED: ${outcome.error}\n`)
  } finally {
    clearTimeout(timer)
  }
  const seconds = Math.round(performance.now() - startedAt) / 1000
  const disturbed = before && disturbance(before, await containerLife(bench))
  if (disturbed) process.stdout.write(`  WARNING: ${disturbed}\n`)
  return { id: c.id, title, seconds, ...outcome, disturbed }
}

function failedOutcome(err: unknown): CaseOutcome {
  const error = shortError(err instanceof Error ? err.message : String(err), 300)
  return { status: 'failed', error, unit: '', summaries: [], rows: [], samples: [] }
}
