import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { requireDaemon } from './daemons'
import { PROJECT_ROOT, startGateway } from './gateway'
import type { Daemon } from './daemons'
import type { Gateway, GatewayOptions } from './gateway'

/**
 * `npm run test:hardening:full` (HARDENING_FULL=1) runs the load and soak cases at the issue's
 * full size; CI runs them smaller, to stay within its time budget.
 */
export const FULL = process.env.HARDENING_FULL === '1'

/** Where the measured figures go, one JSON line per case, for the README's numbers. */
export const FIGURES_FILE = join(PROJECT_ROOT, 'hardening-figures.jsonl')

/** A process's resident memory, from /proc. */
export function residentKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
  if (!match) throw new Error(`no VmRSS for ${pid}`)
  return Number(match[1])
}

export function gatewayRssKiB(gateway: Gateway): number {
  return residentKiB(requiredPid(gateway))
}

/** How many file descriptors the gateway has open. */
export function gatewayFds(gateway: Gateway): number {
  return readdirSync(`/proc/${requiredPid(gateway)}/fd`).length
}

/**
 * A gateway on the daemon, logging at info (debug lines would dwarf what these cases measure),
 * for the suite this is called in: started before its first test, stopped after its last.
 */
export function gatewayForSuite(
  daemon: Daemon,
  options: Omit<GatewayOptions, 'backend'> = {},
): () => Gateway {
  let gateway: Gateway | undefined

  before(async function () {
    this.timeout(30000)
    await requireDaemon(daemon)
    gateway = await startGateway({ backend: daemon.socket, logLevel: 'info', ...options })
  })

  after(async function () {
    this.timeout(30000)
    await gateway?.stop()
  })

  return () => {
    if (!gateway) throw new Error(`no gateway on ${daemon.name}: its start failed`)
    return gateway
  }
}

/** Prints a case's figures and appends them to FIGURES_FILE. */
export function writeFigure(name: string, figures: Record<string, number | string>): void {
  const line = JSON.stringify({ name, full: FULL, at: new Date().toISOString(), ...figures })
  console.log(`      figures: ${line}`)
  appendFileSync(FIGURES_FILE, `${line}\n`)
}

function requiredPid(gateway: Gateway): number {
  const pid = gateway.child.pid
  if (pid === undefined) throw new Error('the gateway has no pid')
  return pid
}
