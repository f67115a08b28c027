import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'

/** How to run a child process from a test. */
export interface RunOptions {
  /** Bytes written to the child's stdin, which is then closed; /dev/null when absent. */
  stdin?: Buffer
  /** The child is killed with SIGKILL after this long. @default 30000 */
  timeoutMs?: number
  /** Extra environment variables on top of the test runner's. */
  env?: NodeJS.ProcessEnv
  /** Keep stdout in memory; turn off for huge outputs (bytes and hash are kept anyway). */
  keepStdout?: boolean
}

/** What a finished child did. */
export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stdoutBytes: number
  stdoutSha256: string
  stderr: string
  ms: number
  timedOut: boolean
}

/** A child that is still running, and its result to come. */
export interface Running {
  child: ChildProcess
  done: Promise<RunResult>
}

/** Starts `cmd args` and collects its output until it closes. */
export function start(cmd: string, args: string[], options: RunOptions = {}): Running {
  const startedAt = Date.now()
  const child = spawn(cmd, args, {
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  })
  feedStdin(child, options.stdin)
  const done = collect(child, options, startedAt)
  return { child, done }
}

/** Runs `cmd args` to the end. */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return start(cmd, args, options).done
}

/** Runs `cmd args`, and throws unless it exits 0; returns stdout as text. */
export async function runOk(cmd: string, args: string[], options: RunOptions = {}) {
  const result = await run(cmd, args, options)
  if (result.code !== 0) {
    const what = [cmd, ...args].join(' ')
    throw new Error(`${what} exited ${result.code} (${result.signal}): ${result.stderr}`)
  }
  return result.stdout.toString()
}

function feedStdin(child: ChildProcess, stdin: Buffer | undefined): void {
  if (!stdin || !child.stdin) return

  // The child may exit before reading all of it; that is the test's business, not an error.
  child.stdin.on('error', () => undefined)
  child.stdin.end(stdin)
}

function collect(child: ChildProcess, options: RunOptions, startedAt: number) {
  const stdout = collectStdout(child, options.keepStdout !== false)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? 30000)
  return new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, ...stdout.result(), stderr, ms: Date.now() - startedAt, timedOut })
    })
  })
}

// Counts and hashes all of stdout; keeps the bytes only when asked to.
function collectStdout(child: ChildProcess, keep: boolean) {
  const chunks: Buffer[] = []
  const hash = createHash('sha256')
  let bytes = 0
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    hash.update(chunk)
    if (keep) chunks.push(chunk)
  })
  return {
    result: () => ({ stdout: Buffer.concat(chunks), stdoutBytes: bytes,
      stdoutSha256: hash.digest('hex') }),
  }
}

/** The hex SHA-256 of some bytes. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
