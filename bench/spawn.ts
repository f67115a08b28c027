import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import type { ChildProcess, StdioOptions } from 'node:child_process'
import type { Readable } from 'node:stream'
import type { Command } from './types'

/** Children still running, so that a timeout or Ctrl-C can end them. */
const live = new Set<ChildProcess>()

/** How to run one measured command. */
export interface RunOptions {
  /** /dev/null (default), a pipe held open until the child exits, or a stream's fd. */
  stdin?: 'ignore' | 'hold' | Readable
  timeoutMs: number
  /** Also report the child's own CPU time (its rusage), through a bash wrapper. */
  rusage?: boolean
  /** How much of stderr's end to keep. @default 4000 */
  stderrChars?: number
  /** Also give up when stdout has been silent this long (a hung download). */
  stallMs?: number
}

/** How a command ended. */
export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  ms: number
  stdoutBytes: number
  stderr: string
  timedOut: boolean
  /** User and system CPU seconds of the command, with `rusage`. */
  cpu?: { user: number, sys: number }
}

// bash's `times` prints its children's rusage; fd 3 carries it so stdout stays the command's.
const RUSAGE_SCRIPT = '"$@" 3>&-; rc=$?; times >&3; exit $rc'

/** Runs a command to its end (or its timeout), counting stdout bytes without keeping them. */
export function run(command: Command, options: RunOptions): Promise<RunResult> {
  const { cmd, args } = options.rusage ? withRusage(command) : command
  const startedAt = performance.now()
  // Own process group: a timeout ends the command and everything it started.
  const child = spawn(cmd, args, { stdio: stdioFor(options), detached: true })
  live.add(child)
  return collect(child, options, startedAt)
}

function withRusage(command: Command): Command {
  return { cmd: 'bash', args: ['-c', RUSAGE_SCRIPT, 'bench', command.cmd, ...command.args] }
}

function stdioFor(options: RunOptions): StdioOptions {
  const stdin = options.stdin === 'hold' ? 'pipe' : options.stdin ?? 'ignore'
  return options.rusage ? [stdin, 'pipe', 'pipe', 'pipe'] : [stdin, 'pipe', 'pipe']
}

function collect(child: ChildProcess, options: RunOptions, startedAt: number) {
  let stdoutBytes = 0
  let stderr = ''
  let times = ''
  let timedOut = false
  let lastOutput = performance.now()
  const keep = options.stderrChars ?? 4000
  child.stdin?.on('error', () => undefined)
  child.stdout!.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length
    lastOutput = performance.now()
  })
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk).slice(-keep) })
  const fd3 = child.stdio[3] as Readable | undefined
  fd3?.on('data', (chunk: Buffer) => { times += chunk })
  const giveUp = () => {
    timedOut = true
    killGroup(child)
  }
  const timer = setTimeout(giveUp, options.timeoutMs)
  const stall = options.stallMs === undefined ? undefined : setInterval(() => {
    if (performance.now() - lastOutput > options.stallMs!) giveUp()
  }, 1000)
  return new Promise<RunResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      clearInterval(stall)
      live.delete(child)
      child.stdin?.destroy()
      resolve({ code, signal, ms: performance.now() - startedAt, stdoutBytes, stderr, timedOut,
        cpu: options.rusage ? parseTimes(times) : undefined })
    }
    child.on('error', (err) => {
      stderr += String(err)
      finish(null, null)
    })
    child.on('close', finish)
  })
}

// `times` prints "0m0.001s 0m0.000s" for the shell, then the same for its children.
function parseTimes(text: string): { user: number, sys: number } | undefined {
  const lines = text.trim().split('\n')
  const seconds = [...(lines[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)]
    .map((m) => Number(m[1]) * 60 + Number(m[2]))
  return seconds.length === 2 ? { user: seconds[0], sys: seconds[1] } : undefined
}

/** Kills a detached child's whole process group. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Kills every child still running; for timeouts of whole cases and for Ctrl-C. */
export function killAll(): void {
  for (const child of live) killGroup(child)
}

/** Short-lived helper children, ended with killAll like measured ones. */
function track(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
}

/** Long-lived servers (gateway, sshd): not ended by a case's timeout, but by the last cleanup. */
const servers = new Set<ChildProcess>()

/** Remembers a server child so that killServers reaches it if its own stop never ran. */
export function trackServer(child: ChildProcess): void {
  servers.add(child)
  child.once('exit', () => servers.delete(child))
}

/** SIGKILLs every server child still running; the last resort of cleanup. */
export function killServers(): void {
  for (const child of servers) killGroup(child)
}

/** Runs a command and returns its stdout, or throws with its stderr. */
export async function output(command: Command, timeoutMs = 60_000): Promise<string> {
  const chunks: Buffer[] = []
  const child = spawn(command.cmd, command.args, { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', (err) => { stderr += String(err); resolve(null) })
    child.on('close', resolve)
  })
  clearTimeout(timer)
  if (code !== 0) {
    throw new Error(`${command.cmd} ${command.args.join(' ')} exited ${code}: ${stderr.trim()}`)
  }
  return Buffer.concat(chunks).toString()
}
