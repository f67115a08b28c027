import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { onCleanup } from '../cleanup'
import { num } from '../format'
import { startGateway } from '../gateway'
import { killSurvivors, startedBy } from '../leftovers'
import { treeMemory } from '../memory'
import { rssKiB } from '../procfs'
import { PROJECT_ROOT } from '../root'
import { checkAlive, closePool, exitSessions, openPool } from '../ssh2-pool'
import { SESSION_KIB_LIMIT } from '../targets'
import type { BenchCase, CaseOutcome } from '../case'
import type { Plan } from '../plan'
import type { Started } from '../leftovers'
import type { PoolTarget } from '../ssh2-pool'
import type { Bench, Row, Sample } from '../types'

const UNIT = 'KiB/session'
const PARALLEL_CONNECTS = 10

/** Many idle pty shells held open: gateway memory per session, and whether any failed. */
export const concurrency: BenchCase = {
  id: 'concurrency',
  title: (plan) => `concurrency: ${sessionCount(plan)} pty shells over ${plan.connections} ` +
    `ssh2 connections, held ${plan.holdMs / 1000} s`,
  timeoutMs: (plan) => plan.holdMs * 2 + 240_000,
  run: runConcurrency,
}

function sessionCount(plan: Plan): number {
  return plan.connections * plan.sessionsPerConnection
}

/** What holding one pool open showed. */
interface Held {
  sessions: number
  wanted: number
  /** Sessions that answered a typed command at the end of the hold. */
  alive: number
  failures: string[]
  openSeconds: number
  kibPerSession: number | undefined
  details: Record<string, unknown>
}

async function runConcurrency(bench: Bench, plan: Plan, signal: AbortSignal):
  Promise<CaseOutcome> {
  const privateKey = await readFile(bench.keyPath)
  const gateway = await holdOnGateway(bench, plan, privateKey, signal)
  report('execgate', gateway)
  const sshd = await holdOnSshd(bench, plan, privateKey, signal)
  report('sshd', sshd)
  const samples = [sampleOf('execgate', gateway), sampleOf('sshd', sshd)]
  return { status: 'ok', unit: UNIT, samples, summaries: [], rows: [row(plan, gateway, sshd)],
    details: { execgate: gateway.details, sshd: sshd.details } }
}

// A fresh gateway: its baseline is not inflated by buffers left from the throughput cases.
async function holdOnGateway(bench: Bench, plan: Plan, privateKey: Buffer, signal: AbortSignal) {
  const gateway = await startGateway(PROJECT_ROOT, bench.dir, 'gateway-concurrency',
    bench.keyPath, bench.daemon)
  onCleanup('concurrency gateway', () => gateway.stop())
  try {
    const target = { port: gateway.port, user: bench.container, privateKey }
    await warmUp(target)
    const memory = () => ({ gateway: rssKiB(gateway.pid), daemon: rssKiB(bench.daemon.pid) })
    const held = await hold(target, plan, sessionCount(plan), plan.holdMs, memory, signal)
    const kib = perSession(held.before.gateway, held.end.gateway, held.sessions)
    return { ...held, kibPerSession: kib, details: { ...held.details, gatewayLog: gateway.log } }
  } finally {
    await gateway.stop()
  }
}

// OpenSSH runs an `lxc exec` client (~17 MB) per session: its count is capped to spare RAM.
async function holdOnSshd(bench: Bench, plan: Plan, privateKey: Buffer, signal: AbortSignal) {
  const target = { port: bench.sshd.forcedPort, user: bench.sshd.user, privateKey }
  const count = Math.min(sessionCount(plan), plan.sshdSessionsCap)
  const memory = () => ({ ...treeMemory(bench.sshd.pid, 'sshd'),
    daemon: rssKiB(bench.daemon.pid) })
  let started: Started[] = []
  const held = await hold(target, plan, count, plan.sshdHoldMs, memory, signal,
    () => { started = startedBy(bench.sshd.pid, 'sshd') })
  // Ending a session does not end its `lxc exec -t` client: count those that outlive it.
  const leaked = killSurvivors(started)
  if (leaked > 0) {
    held.failures.push(`${leaked} lxc exec clients outlived their closed sessions (killed)`)
  }
  const kib = perSession(held.before.ownRss, held.end.ownRss, held.sessions)
  return { ...held, kibPerSession: kib, details: { ...held.details, leakedClients: leaked } }
}

async function warmUp(target: PoolTarget): Promise<void> {
  const pool = await openPool(target, 1, 1, 1)
  await checkAlive(pool, 10_000)
  await closePool(pool)
  await sleep(1000)
}

/** Opens `count` sessions, holds them for `holdMs`, checks they answer, closes them. */
async function hold<M extends Record<string, number | undefined>>(target: PoolTarget,
  plan: Plan, count: number, holdMs: number, memory: () => M, signal: AbortSignal,
  beforeClose?: () => void) {
  const before = memory()
  const startedAt = performance.now()
  const connections = Math.ceil(count / plan.sessionsPerConnection)
  const pool = await openPool(target, connections, plan.sessionsPerConnection, PARALLEL_CONNECTS)
  signal.addEventListener('abort', () => void closePool(pool))
  const openSeconds = (performance.now() - startedAt) / 1000
  await sleep(plan.settleMs)
  const opened = memory()
  const series = await sampleFor(holdMs, () => memory())
  const end = memory()
  const dead = await checkAlive(pool, 20_000)
  beforeClose?.()
  const notExited = await exitSessions(pool, 10_000)
  await closePool(pool)
  await sleep(plan.settleMs)
  const closed = memory()
  const failures = [...pool.openFailures, ...pool.dropped, ...dead, ...notExited]
  return { sessions: pool.sessions.length, wanted: connections * plan.sessionsPerConnection,
    alive: pool.sessions.length - dead.length, failures, openSeconds, before, end,
    details: { before, opened, end, closed, series, openSeconds, handshake: pool.handshake,
      failures: failures.slice(0, 50) } }
}

async function sampleFor<T>(ms: number, take: () => T): Promise<T[]> {
  const series: T[] = []
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    series.push(take())
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())))
  }
  return series
}

function perSession(before: number | undefined, after: number | undefined, sessions: number) {
  if (before === undefined || after === undefined || sessions === 0) return undefined
  return (after - before) / sessions
}

function report(name: string, held: Held): void {
  const first = held.failures[0] ? ` (first: ${held.failures[0]})` : ''
  process.stdout.write(`  ${name}: ${held.sessions}/${held.wanted} sessions open in ` +
    `${num(held.openSeconds)} s, ${held.alive} answered after the hold, ` +
    `${num(held.kibPerSession)} ${UNIT}, ${held.failures.length} problems${first}\n`)
}

function sampleOf(variant: string, held: Held): Sample {
  return { variant, round: 1, ok: held.kibPerSession !== undefined, value: held.kibPerSession,
    sessions: held.sessions, wanted: held.wanted, alive: held.alive,
    failures: held.failures.length,
    openSeconds: held.openSeconds }
}

function row(plan: Plan, gateway: Held, sshd: Held): Row {
  const kib = gateway.kibPerSession
  const failed = gateway.wanted - gateway.alive
  const pass = failed === 0 && kib !== undefined && kib < SESSION_KIB_LIMIT
  const ratio = kib !== undefined && sshd.kibPerSession ? kib / sshd.kibPerSession : undefined
  return {
    case: `concurrency ${sessionCount(plan)} sessions`,
    execgate: `${num(kib)} ${UNIT}, ${failed} failed of ${gateway.wanted}`,
    reference: `sshd own processes: ${num(sshd.kibPerSession)} ${UNIT} (${sshd.sessions} ` +
      `sessions, ${sshd.wanted - sshd.alive} failed${leakText(sshd)})`,
    ratio,
    target: `0 failed, < ${SESSION_KIB_LIMIT} ${UNIT}`,
    result: kib === undefined ? 'n/a' : pass ? 'PASS' : 'MISS',
  }
}

function leakText(held: Held): string {
  const leaked = Number(held.details.leakedClients ?? 0)
  return leaked > 0 ? `, ${leaked} lxc clients leaked` : ''
}
