import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Kernel clock ticks per second, the unit of /proc/PID/stat's CPU fields. */
const CLK_TCK = readClockTicks()

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
}

/** A process's fields from /proc/PID/stat after the command name (field 3 onwards). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: split after the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * CPU seconds (utime + stime) of a process; with `children`, also of the children it has
 * waited for (cutime + cstime), which is how sshd's short-lived session processes are counted.
 */
export function cpuSeconds(pid: number | undefined, children = false): number | undefined {
  if (pid === undefined) return undefined
  const f = statFields(pid)
  if (!f) return undefined
  // utime, stime, cutime, cstime are fields 14-17; f[0] is field 3.
  const own = Number(f[11]) + Number(f[12])
  const waited = children ? Number(f[13]) + Number(f[14]) : 0
  return (own + waited) / CLK_TCK
}

/** Resident set size of a process, in KiB. */
export function rssKiB(pid: number | undefined): number | undefined {
  return statusField(pid, 'VmRSS')
}

/** Proportional set size (shared pages divided among their users), in KiB. */
export function pssKiB(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const match = /^Pss:\s+(\d+) kB/m.exec(text)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

function statusField(pid: number | undefined, name: string): number | undefined {
  if (pid === undefined) return undefined
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined
  }
}

/** One running process, as /proc shows it. */
export interface ProcInfo {
  pid: number
  ppid: number
  comm: string
}

/** Every process on the machine. */
export function processes(): ProcInfo[] {
  const list: ProcInfo[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const info = procInfo(Number(name))
    if (info) list.push(info)
  }
  return list
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'))
    const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1])
    return { pid, ppid, comm }
  } catch {
    return undefined
  }
}

/** A process and all its descendants. */
export function processTree(root: number): ProcInfo[] {
  const all = processes()
  const tree = all.filter((p) => p.pid === root)
  for (let i = 0; i < tree.length; i++) {
    tree.push(...all.filter((p) => p.ppid === tree[i].pid))
  }
  return tree
}
