import { readFileSync } from 'node:fs'
import { processTree } from './procfs'

/** A process the reference server started, identified beyond its pid (pids get reused). */
export interface Started {
  pid: number
  cmdline: string
}

/** The processes under `root` other than `own` (sshd's session clients: `lxc exec`). */
export function startedBy(root: number, own: string): Started[] {
  return processTree(root).filter((p) => p.comm !== own)
    .map((p) => ({ pid: p.pid, cmdline: cmdline(p.pid) }))
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

/**
 * SIGKILLs those still running (with the same command line); returns how many were. `lxc exec`
 * forwards SIGTERM to the remote command instead of exiting, hence SIGKILL.
 */
export function killSurvivors(started: Started[]): number {
  let survivors = 0
  for (const proc of started) {
    if (cmdline(proc.pid) !== proc.cmdline || proc.cmdline === '') continue
    survivors++
    try {
      process.kill(proc.pid, 'SIGKILL')
    } catch {
      // Gone meanwhile.
    }
  }
  return survivors
}
