import { performance } from 'node:perf_hooks'
import { CASES } from './cases/index'
import { runCase } from './case'
import { cleanup, cleanupOnSignals, onCleanup } from './cleanup'
import { describeMachine } from './machine'
import { checkNative } from './native'
import { fromHandshake, negotiatedAlgorithms } from './negotiated'
import { parseOptions, USAGE } from './options'
import { makePlan } from './plan'
import { gatewayProblems } from './problems'
import { writeResults } from './results'
import { PROJECT_ROOT } from './root'
import { setUp } from './setup'
import { killServers } from './spawn'
import { cpuTables, resultsTable } from './table'
import type { Negotiated } from './negotiated'
import type { Plan } from './plan'
import type { Bench, CaseResult, GatewayLog, Options } from './types'

/** `npm run bench [-- --quick] [--daemon incus]`: every case, a table, a JSON file. */
async function main(argv: string[]): Promise<void> {
  let options: Options
  try {
    options = parseOptions(argv)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`)
    process.exitCode = 2
    return
  }
  if (options.help) return void process.stdout.write(`${USAGE}\n`)

  cleanupOnSignals()
  // Registered first, so it runs last: whatever server a failed stop left behind.
  onCleanup('leftover servers', killServers)
  try {
    await benchmark(options)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  } finally {
    await cleanup()
  }
}

async function benchmark(options: Options): Promise<void> {
  const startedAt = performance.now()
  const plan = makePlan(options)
  const native = checkNative(PROJECT_ROOT)
  const bench = await setUp(options)
  const machine = await describeMachine(bench.daemon)
  const negotiated = await negotiatedAlgorithms(bench)
  const results: CaseResult[] = []
  for (const c of CASES.filter((c) => options.only.length === 0 || options.only.includes(c.id))) {
    results.push(await runCase(c, bench, plan))
  }
  const handshake = results.find((r) => r.id === 'concurrency')?.details?.execgate as
    { handshake?: unknown } | undefined
  const ssh2 = fromHandshake('execgate, ssh2 client (concurrency)', handshake?.handshake)
  if (ssh2) negotiated.push(ssh2)
  const logs = [bench.gateway.log, ...gatewayLogs(results)]
  const elapsed = Math.round(performance.now() - startedAt) / 1000
  const path = await writeResults(`bench-${options.daemon}-${options.quick ? 'quick' : 'full'}`,
    { options, plan, machine, native, negotiated, elapsedSeconds: elapsed, results,
      gatewayLog: bench.gateway.log })
  printReport({ bench, plan, machine, native, negotiated, results, logs, elapsed, path })
}

function gatewayLogs(results: CaseResult[]): GatewayLog[] {
  return results.map((r) => (r.details?.execgate as { gatewayLog?: GatewayLog } | undefined)
    ?.gatewayLog).filter((log): log is GatewayLog => log !== undefined)
}

interface Report {
  bench: Bench
  plan: Plan
  machine: Record<string, string>
  native: ReturnType<typeof checkNative>
  negotiated: Negotiated[]
  results: CaseResult[]
  logs: GatewayLog[]
  elapsed: number
  path: string
}

function printReport(r: Report): void {
  const out: string[] = ['', '== machine']
  for (const [key, value] of Object.entries(r.machine)) out.push(`  ${key.padEnd(12)} ${value}`)
  out.push('', '== ssh2 native crypto (execgate side)',
    `  sshcrypto.node: ${r.native.sshcrypto}`, `  cpu-features:   ${r.native.cpuFeatures}`)
  if (!r.native.ok) out.push('  WARNING: without them execgate runs slower JavaScript ciphers')
  out.push('', '== negotiated by default (ssh -v; throughput cases force each cipher with -c)')
  for (const n of r.negotiated) {
    out.push(`  ${n.path.padEnd(38)} kex ${n.kex ?? '?'}, cipher ${n.cipher ?? '?'}, ` +
      `host key ${n.hostKey ?? '?'}${n.error ? ` (${n.error})` : ''}`)
  }
  const mode = r.bench.options.quick ? 'quick' : 'full'
  out.push('', `== results (${mode}, ${r.plan.rounds} rounds, against ${r.bench.daemon.name} ` +
    `container ${r.bench.container}; figures are medians with min-max)`, resultsTable(r.results))
  if (r.results.some((c) => c.disturbed)) {
    out.push('* the container was restarted or re-created during this case by something else')
  }
  const cpu = cpuTables(r.results)
  if (cpu) out.push('', '== CPU seconds per transfer (medians)', cpu)
  const problems = gatewayProblems(r.results, r.logs)
  out.push('', `== problems seen (execgate and environment): ${problems.length ? '' : 'none'}`,
    ...problems.map((p) => `  - ${p}`))
  out.push('', `results: ${r.path}`, `elapsed: ${r.elapsed} s`)
  process.stdout.write(`${out.join('\n')}\n`)
}

void main(process.argv.slice(2))
