import { run, runOk } from './process'

/** A container daemon the behaviour suites run against. */
export interface Daemon {
  name: 'lxd' | 'incus'
  /** The unix socket the gateway is given as `--backend`. */
  socket: string
  /** The daemon's own CLI, used to look inside containers. */
  cli: string
}

/** A process seen inside a container. */
export interface ContainerProcess {
  pid: number
  args: string
}

/** Both daemons that scripts/setup-daemons.sh starts. */
export const DAEMONS: readonly Daemon[] = [
  { name: 'lxd', socket: '/var/lib/lxd/unix.socket', cli: 'lxc' },
  { name: 'incus', socket: '/var/lib/incus/unix.socket', cli: 'incus' },
]

/** Throws, naming the setup script, unless the daemon answers and c1 is running. */
export async function requireDaemon(daemon: Daemon): Promise<void> {
  const result = await run(daemon.cli, ['list', '^c1$', '-c', 's', '--format', 'csv'])
  const state = result.stdout.toString().trim()
  if (result.code === 0 && state === 'RUNNING') return

  throw new Error(`${daemon.name} is not ready (c1: '${state}', ${result.stderr.trim()}); ` +
    'run scripts/setup-daemons.sh')
}

/** Runs a command in a container through the daemon's CLI; returns stdout. */
export function containerExec(daemon: Daemon, container: string, argv: string[]) {
  return runOk(daemon.cli, ['exec', container, '--', ...argv], { timeoutMs: 15000 })
}

/** The processes running in a container, as busybox `ps` shows them. */
export async function containerPs(daemon: Daemon, container: string) {
  const text = await containerExec(daemon, container, ['ps', '-o', 'pid,args'])
  return text.split('\n').slice(1).map(parsePsLine).filter(isProcess)
}

/** The processes of a container whose command line contains `marker`. */
export async function findMarked(daemon: Daemon, container: string, marker: string) {
  const processes = await containerPs(daemon, container)
  return processes.filter((p) => p.args.includes(marker) && !p.args.startsWith('ps '))
}

/** Kills, by pid, the processes a test left in a container; ignores those already gone. */
export async function killMarked(daemon: Daemon, container: string, marker: string) {
  if (marker.trim() === '') throw new Error('killMarked needs a non-empty marker')
  const pids = (await findMarked(daemon, container, marker)).map((p) => String(p.pid))
  if (pids.length === 0) return

  await run(daemon.cli, ['exec', container, '--', 'kill', '-9', ...pids])
}

function parsePsLine(line: string): ContainerProcess | undefined {
  const match = /^\s*(\d+)\s+(.*)$/.exec(line)
  return match ? { pid: Number(match[1]), args: match[2] } : undefined
}

function isProcess(p: ContainerProcess | undefined): p is ContainerProcess {
  return p !== undefined
}

/**
 * The daemon's running operations, or only those on one instance; the daemon prints nothing at
 * all when there are none.
 */
export async function runningOperations(daemon: Daemon, instance?: string): Promise<string[]> {
  const text = (await runOk(daemon.cli, ['query', '/1.0/operations?recursion=1'])).trim()
  if (text === '') return []
  const running = (JSON.parse(text) as { running?: OperationRecord[] }).running ?? []
  return running
    .filter((op) => !instance || op.resources?.instances?.includes(`/1.0/instances/${instance}`))
    .map((op) => `${op.id} ${op.description}`)
}

interface OperationRecord {
  id: string
  description: string
  resources?: { instances?: string[] }
}
