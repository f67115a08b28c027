import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { writeAuthorizedKeys } from './keys'
import { trackServer } from './spawn'
import type { ChildProcess } from 'node:child_process'
import type { Daemon, GatewayLog, GatewayProcess } from './types'

const MAX_WARNINGS = 200

/** Starts `bin/execgate` on 127.0.0.1:0 in `dir/name`; resolves once it is listening. */
export async function startGateway(root: string, dir: string, name: string, keyPath: string,
  daemon: Daemon): Promise<GatewayProcess> {
  const home = join(dir, name)
  await mkdir(home, { recursive: true })
  const authorizedKeys = join(home, 'authorized_keys')
  await writeAuthorizedKeys(keyPath, authorizedKeys)
  // info, not warn: gateway_listening (with the port) is an info line.
  const args = [join(root, 'bin', 'execgate'), '--listen', '127.0.0.1:0',
    '--backend', daemon.socket, '--host-keys', join(home, 'host-keys'),
    '--authorized-keys', authorizedKeys, '--log-level', 'info']
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    detached: true })
  trackServer(child)
  const log: GatewayLog = { events: {}, warnings: [], stderr: [] }
  const port = await listeningPort(child, log)
  return { pid: child.pid!, port, log, stop: () => stopGateway(child) }
}

// Every stdout line is read (so the gateway never blocks on a full pipe) and mostly dropped.
function listeningPort(child: ChildProcess, log: GatewayLog): Promise<number> {
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.stderr.push(line)
    if (log.stderr.length > 50) log.stderr.shift()
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('no gateway_listening line after 20 s'), 20_000)
    const fail = (why: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`gateway: ${why}; stderr: ${log.stderr.slice(-5).join(' | ')}`))
    }
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited (${code ?? signal}) before listening`)
    child.once('exit', onExit)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = note(log, line)
      if (parsed?.event !== 'gateway_listening') return
      clearTimeout(timer)
      child.off('exit', onExit)
      resolve(Number(parsed.port))
    })
  })
}

function note(log: GatewayLog, line: string): Record<string, unknown> | undefined {
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(line) as Record<string, unknown>
  } catch {
    log.stderr.push(`stdout: ${line}`)
    return undefined
  }
  const event = String(parsed.event ?? parsed.msg ?? 'unnamed')
  log.events[event] = (log.events[event] ?? 0) + 1
  // pino levels: 40 warn, 50 error, 60 fatal.
  if (Number(parsed.level) >= 40 && log.warnings.length < MAX_WARNINGS) log.warnings.push(parsed)
  return parsed
}

async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  // The gateway lets sessions finish for its grace period (10 s) before it exits.
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}
