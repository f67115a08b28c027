import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { processes } from './procfs'
import { output } from './spawn'
import type { Daemon } from './types'

const SOCKETS = { lxd: '/var/lib/lxd/unix.socket', incus: '/var/lib/incus/unix.socket' }
const CLIS = { lxd: 'lxc', incus: 'incus' }
const PROCESS_NAMES = { lxd: 'lxd', incus: 'incusd' }

/** Runs the project's idempotent daemon set-up for one daemon and the busybox image. */
export async function setupDaemon(root: string, name: 'lxd' | 'incus'): Promise<void> {
  const script = join(root, 'scripts', 'setup-daemons.sh')
  const args = ['CLUSTER=0', 'IMAGES=busybox', `DAEMONS=${name}`, 'bash', script]
  await output({ cmd: 'env', args }, 600_000)
}

/** Describes the chosen daemon: its CLI, socket, main process and version. */
export async function describeDaemon(name: 'lxd' | 'incus'): Promise<Daemon> {
  const cli = CLIS[name]
  const info = JSON.parse(await output({ cmd: cli, args: ['query', '/1.0'] })) as {
    environment?: { server_version?: string, server_name?: string }
  }
  const version = `${name} ${info.environment?.server_version ?? 'unknown'}`
  return { name, cli, socket: SOCKETS[name], pid: daemonPid(name), version }
}

// The daemon re-executes itself for helpers (forkexec, forkfile...) and renames its container
// monitors ("[lxc monitor] ..."): the main process is the one that still runs under its own
// name, with no fork helper as first argument and no daemon as parent.
function daemonPid(name: 'lxd' | 'incus'): number | undefined {
  const comm = PROCESS_NAMES[name]
  const candidates = processes().filter((p) => p.comm === comm)
  const main = candidates.find((p) => {
    const [program, first] = argv(p.pid)
    return basename(program ?? '') === comm && !/^fork/.test(first ?? '') &&
      !candidates.some((c) => c.pid === p.ppid)
  })
  return main?.pid
}

function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return []
  }
}
