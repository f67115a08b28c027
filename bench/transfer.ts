import { spawn } from 'node:child_process'
import { cpuDelta, cpuSnapshot, sshdSettled } from './cpu'
import { shortError } from './format'
import { run } from './spawn'
import type { RunOptions, RunResult } from './spawn'
import type { Bench, Command, Measurement } from './types'

const MiB = 1024 * 1024

/** One bulk transfer through one path. */
export interface TransferSpec {
  command: Command
  bytes: number
  /** down: the remote command writes `bytes`; up: `bytes` of zeros go to its stdin. */
  direction: 'down' | 'up'
  /** Under a pty: stdin is held open, since a terminal's EOF would hang the session up. */
  tty: boolean
}

/** Runs one transfer; the sample's value is MiB/s, with the CPU of every process involved. */
export async function transferSample(bench: Bench, spec: TransferSpec):
  Promise<Measurement> {
  const before = cpuSnapshot(bench)
  const result = await runTransfer(spec)
  await sshdSettled(bench)
  const cpu = { client: clientCpu(result), ...cpuDelta(before, cpuSnapshot(bench)) }
  const bytes = spec.direction === 'down' ? result.stdoutBytes : spec.bytes
  const seconds = result.ms / 1000
  const error = failure(spec, result)
  return { ok: error === undefined, value: error ? undefined : bytes / MiB / seconds, error,
    seconds: Math.round(result.ms) / 1000, bytes, missingBytes: spec.bytes - bytes, cpu }
}

function runTransfer(spec: TransferSpec): Promise<RunResult> {
  // Slower than 2 MiB/s, or 20 s without output, is a hang for this bench's purposes.
  const options: RunOptions = { rusage: true, timeoutMs: 30_000 + spec.bytes / (2 * MiB) * 1000,
    stdin: spec.tty ? 'hold' : 'ignore', stallMs: spec.direction === 'down' ? 20_000 : undefined }
  if (spec.direction === 'down') return run(spec.command, options)

  const head = spawn('head', ['-c', String(spec.bytes), '/dev/zero'],
    { stdio: ['ignore', 'pipe', 'ignore'] })
  const running = run(spec.command, { ...options, stdin: head.stdout })
  // The command has its own copy of the pipe; this process must not hold (or read) it.
  head.stdout.destroy()
  return running.finally(() => head.kill('SIGKILL'))
}

function clientCpu(result: RunResult): number | undefined {
  return result.cpu ? Math.round((result.cpu.user + result.cpu.sys) * 1000) / 1000 : undefined
}

function failure(spec: TransferSpec, result: RunResult): string | undefined {
  if (result.timedOut) return `timed out after ${Math.round(result.ms / 1000)} s`
  if (result.code !== 0) {
    return `exit ${result.code ?? result.signal}: ${shortError(result.stderr || 'no stderr')}`
  }
  if (spec.direction === 'up') return undefined
  // LXD 5.0.2 may drop the last bytes of a pty exec (a documented daemon limitation).
  const needed = spec.tty ? spec.bytes * 0.99 : spec.bytes
  if (result.stdoutBytes < needed || result.stdoutBytes > spec.bytes) {
    return `received ${result.stdoutBytes} of ${spec.bytes} bytes`
  }
  return undefined
}
