import { shortError } from '../format'
import { interleave, showValue } from '../interleave'
import { compareRow, summaries } from '../rows'
import { run } from '../spawn'
import { viaCli, viaGateway, viaSshd } from '../ssh-cli'
import { TARGETS } from '../targets'
import type { BenchCase, CaseOutcome } from '../case'
import type { Plan } from '../plan'
import type { Bench, Command, Measurement } from '../types'

const GATEWAY = 'execgate'
const CLI = 'lxc exec'
const SSHD = 'sshd+ForceCommand'

/** `ssh c1@gw true`: connect, key exchange, auth, exec, exit; the wall time of the whole. */
export const roundTrip: BenchCase = {
  id: 'round-trip',
  title: () => 'round trip: ssh c1@gw true',
  timeoutMs: (plan) => plan.rounds * plan.roundTripPerRound * 3 * 20_000 + 10_000,
  run: runRoundTrip,
}

async function runRoundTrip(bench: Bench, plan: Plan): Promise<CaseOutcome> {
  const cli = viaCli(bench, ['true'])
  const variants = [
    { name: GATEWAY, run: () => timed(viaGateway(bench, 'true')) },
    { name: CLI, run: () => timed(cli) },
    { name: SSHD, run: () => timed(viaSshd(bench, 'true')) },
  ]
  const samples = await interleave('round trip', plan.rounds, variants, showValue('ms'),
    plan.roundTripPerRound)
  const label = 'round trip (ms)'
  return { status: 'ok', unit: 'ms', samples, summaries: summaries(samples), rows: [
    compareRow(label, samples, GATEWAY, SSHD, 'ms', TARGETS.roundTrip),
    compareRow(label, samples, GATEWAY, CLI, 'ms'),
  ] }
}

/** Wall time of one run in ms; a non-zero exit is a failed sample. */
export async function timed(command: Command): Promise<Measurement> {
  const result = await run(command, { timeoutMs: 20_000 })
  if (result.timedOut) return { ok: false, error: 'timed out after 20 s' }
  if (result.code !== 0) {
    return { ok: false, error: `exit ${result.code ?? result.signal}: ${shortError(result.stderr ||
      'no stderr')}` }
  }
  return { ok: true, value: Math.round(result.ms * 10) / 10 }
}
