import { performance } from 'node:perf_hooks'
import { figure, num } from '../format'
import { interleave } from '../interleave'
import { summaries } from '../rows'
import { quantile, summarize } from '../stats'
import { ratioOf, TARGETS, targetText, verdict } from '../targets'
import { timed } from './round-trip'
import { viaCli, viaGateway } from '../ssh-cli'
import type { BenchCase, CaseOutcome } from '../case'
import type { Plan } from '../plan'
import type { Bench, Command, Measurement, Row, Sample } from '../types'

const UNIT = 'sessions/s'
const GATEWAY = 'execgate'
const CLI = 'lxc exec'

/** `ssh c1@gw true`, 8 at a time for a while: sessions per second and latency. */
export const connRate: BenchCase = {
  id: 'conn-rate',
  title: (plan) => `connection rate: ssh c1@gw true, ${plan.rateParallel} in parallel for ` +
    `${plan.rateMs / 1000} s (in ${plan.rounds} interleaved slices)`,
  timeoutMs: (plan) => plan.rateMs * 2 + plan.rounds * 2 * 30_000 + 30_000,
  run: runConnRate,
}

async function runConnRate(bench: Bench, plan: Plan): Promise<CaseOutcome> {
  const sliceMs = plan.rateMs / plan.rounds
  const slice = (command: Command) => () => runSlice(command, plan.rateParallel, sliceMs)
  const variants = [
    { name: GATEWAY, run: slice(viaGateway(bench, 'true')) },
    { name: CLI, run: slice(viaCli(bench, ['true'])) },
  ]
  const samples = await interleave('rate', plan.rounds, variants, show)
  return { status: 'ok', unit: UNIT, samples, summaries: summaries(samples),
    rows: [row(plan, samples)], details: { latencyMs: { execgate: latencies(samples, GATEWAY),
      [CLI]: latencies(samples, CLI) } } }
}

/** `parallel` workers run the command back to back until `ms` have passed. */
async function runSlice(command: Command, parallel: number, ms: number):
  Promise<Measurement> {
  const latencyMs: number[] = []
  const errors: string[] = []
  const startedAt = performance.now()
  const worker = async () => {
    while (performance.now() - startedAt < ms) {
      const result = await timed(command)
      if (result.ok) latencyMs.push(result.value!)
      else errors.push(String(result.error))
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  const seconds = (performance.now() - startedAt) / 1000
  return { ok: latencyMs.length > 0, value: latencyMs.length / seconds, seconds,
    completed: latencyMs.length, failed: errors.length, errors: errors.slice(0, 10), latencyMs,
    error: latencyMs.length === 0 ? errors[0] ?? 'no run completed' : undefined }
}

function show(sample: Sample): string {
  if (!sample.ok) return `FAILED: ${sample.error}`
  const failed = Number(sample.failed) > 0 ? `, ${sample.failed} failed` : ''
  return `${num(sample.value)} ${UNIT}${failed}`
}

/** p50 and p99 of every completed run of a variant, across slices. */
function latencies(samples: Sample[], variant: string) {
  const all = samples.filter((s) => s.variant === variant)
    .flatMap((s) => (s.latencyMs as number[] | undefined) ?? []).sort((a, b) => a - b)
  const failed = samples.filter((s) => s.variant === variant)
    .reduce((sum, s) => sum + Number(s.failed ?? 0), 0)
  return { count: all.length, failed, p50: quantile(all, 0.5), p99: quantile(all, 0.99) }
}

function describe(samples: Sample[], variant: string): string {
  const l = latencies(samples, variant)
  const failed = l.failed > 0 ? `, ${l.failed} failed` : ''
  return `${figure(summarize(samples, variant), UNIT)}, p50 ${num(l.p50)} ms, ` +
    `p99 ${num(l.p99)} ms${failed}`
}

function row(plan: Plan, samples: Sample[]): Row {
  const ratio = ratioOf(summarize(samples, GATEWAY), summarize(samples, CLI))
  return { case: `connection rate x${plan.rateParallel}`, execgate: describe(samples, GATEWAY),
    reference: `${CLI}: ${describe(samples, CLI)}`, ratio, target: targetText(TARGETS.rate),
    result: verdict(ratio, TARGETS.rate) }
}
