import { setTimeout as sleep } from 'node:timers/promises'
import { cpuSeconds, processTree } from './procfs'
import type { Bench } from './types'

/** CPU seconds so far of the server-side processes every path may use. */
export interface CpuSnapshot {
  gateway: number | undefined
  /** sshd with the session processes it has reaped (their `lxc exec` clients included). */
  sshd: number | undefined
  daemon: number | undefined
}

export function cpuSnapshot(bench: Bench): CpuSnapshot {
  return {
    gateway: cpuSeconds(bench.gateway.pid),
    sshd: cpuSeconds(bench.sshd.pid, true),
    daemon: cpuSeconds(bench.daemon.pid),
  }
}

/** CPU seconds each process spent between two snapshots. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const minus = (a?: number, b?: number) =>
    (a === undefined || b === undefined ? undefined : round(a - b))
  return {
    gateway: minus(after.gateway, before.gateway),
    sshd: minus(after.sshd, before.sshd),
    daemon: minus(after.daemon, before.daemon),
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}

/**
 * Waits (up to 2 s) until sshd has reaped its session processes: their CPU only shows in
 * sshd's cutime/cstime once it has.
 */
export async function sshdSettled(bench: Bench): Promise<void> {
  const deadline = Date.now() + 2000
  while (Date.now() < deadline && processTree(bench.sshd.pid).length > 1) await sleep(50)
}
