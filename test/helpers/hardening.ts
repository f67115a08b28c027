import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT_ROOT } from './gateway'
import type { Gateway } from './gateway'

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
