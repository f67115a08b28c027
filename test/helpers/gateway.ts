import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { stringify } from 'yaml'
import { makeClientKey } from './keys'
import { collectSecrets, findLeaks } from './log-scan'
import { waitFor } from './wait'
import type { ChildProcess } from 'node:child_process'
import type { ClientKey } from './keys'
import type { SshTarget } from './ssh'

/** The project root, seen from dist/test/helpers. */
export const PROJECT_ROOT = resolve(__dirname, '..', '..', '..')

/** The gateway's command, as a user runs it. */
export const GATEWAY_BIN = join(PROJECT_ROOT, 'bin', 'execgate')

/** How to start a gateway for a test. */
export interface GatewayOptions {
  /** `--backend`: a daemon's unix socket or an https:// URL. */
  backend: string
  /** Written as YAML and passed with `--config`. */
  config?: Record<string, unknown>
  /** `--host-keys`; a fresh directory in the gateway's temp dir when absent. */
  hostKeysDir?: string
  /** `--log-level`. @default 'debug' */
  logLevel?: string
  /** The child's extra environment. */
  env?: NodeJS.ProcessEnv
  /** More authorized_keys lines (with options, say), after the test client's own key. */
  extraAuthorizedKeys?: string[]
}

/** One parsed pino line. */
export type LogLine = Record<string, unknown>

/** How a gateway process ended. */
export interface GatewayExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A running gateway child process, listening on 127.0.0.1. */
export interface Gateway extends SshTarget {
  child: ChildProcess
  /** Its temp dir, removed by stop(). */
  dir: string
  hostKeysDir: string
  clientKey: ClientKey
  /** Every stdout line so far, parsed; a line that is not JSON is kept as `{ unparsed }`. */
  logs: LogLine[]
  /** stderr so far. */
  stderr(): string
  /** Resolves once the process has exited. */
  exited: Promise<GatewayExit>
  /** Waits for a log line with this event (and these fields), returns it. */
  waitForLog(event: string, fields?: LogLine, timeoutMs?: number): Promise<LogLine>
  /** The log lines with this event. */
  events(event: string): LogLine[]
  /** SIGTERM, wait for exit (SIGKILL after `timeoutMs`), remove the temp dir. */
  stop(timeoutMs?: number): Promise<GatewayExit>
}

/** Starts `bin/execgate` on 127.0.0.1:0 with fresh keys; resolves once it is listening. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const dir = await mkdtemp(join(tmpdir(), 'execgate-test-'))
  const clientKey = await makeClientKey(dir)
  const authorizedKeys = join(dir, 'authorized_keys')
  const lines = [clientKey.publicLine, ...options.extraAuthorizedKeys ?? []]
  await writeFile(authorizedKeys, `${lines.join('\n')}\n`, { mode: 0o600 })
  const hostKeysDir = options.hostKeysDir ?? join(dir, 'host-keys')
  const args = ['--listen', '127.0.0.1:0', '--backend', options.backend,
    '--host-keys', hostKeysDir, '--authorized-keys', authorizedKeys,
    '--log-level', options.logLevel ?? 'debug', ...await configArgs(dir, options.config)]
  const child = spawn(process.execPath, [GATEWAY_BIN, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const gateway = watchGateway(child, dir, hostKeysDir, clientKey)
  await waitForListening(gateway)
  return gateway
}

async function configArgs(dir: string, config: Record<string, unknown> | undefined) {
  if (!config) return []

  const path = join(dir, 'execgate.yaml')
  await writeFile(path, stringify(config))
  return ['--config', path]
}

function watchGateway(child: ChildProcess, dir: string, hostKeysDir: string, key: ClientKey) {
  const logs: LogLine[] = []
  let stderr = ''
  createInterface({ input: child.stdout! }).on('line', (line) => logs.push(parseLine(line)))
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<GatewayExit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  const gateway: Gateway = {
    child, dir, hostKeysDir, clientKey: key, logs, exited,
    port: 0,
    keyPath: key.path,
    stderr: () => stderr,
    events: (event) => logs.filter((line) => line.event === event),
    waitForLog: (event, fields, timeoutMs) =>
      waitForLine(gateway, event, fields ?? {}, timeoutMs ?? 5000),
    stop: (timeoutMs) => stopGateway(gateway, timeoutMs ?? 20000),
  }
  return gateway
}

function parseLine(line: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(line)
    return typeof parsed === 'object' && parsed !== null ? parsed as LogLine : { unparsed: line }
  } catch {
    return { unparsed: line }
  }
}

async function waitForListening(gateway: Gateway): Promise<void> {
  let exit: GatewayExit | undefined
  void gateway.exited.then((e) => { exit = e })
  const line = await waitFor('the gateway_listening log line', () => {
    if (exit) throw new Error(`gateway exited (${exit.code}/${exit.signal}) before listening`)
    return gateway.logs.find((l) => l.event === 'gateway_listening')
  }, 15000, 50).catch(async (err: Error) => {
    gateway.child.kill('SIGKILL')
    await rm(gateway.dir, { recursive: true, force: true })
    throw new Error(err.message + describeOutput(gateway))
  })
  gateway.port = Number(line.port)
}

function describeOutput(gateway: Gateway): string {
  const stdout = gateway.logs.slice(-20).map((l) => JSON.stringify(l)).join('\n')
  return `\n--- stdout (last lines) ---\n${stdout}\n--- stderr ---\n${gateway.stderr()}`
}

function waitForLine(gateway: Gateway, event: string, fields: LogLine, timeoutMs: number) {
  const matches = (line: LogLine) =>
    line.event === event && Object.entries(fields).every(([k, v]) => line[k] === v)
  return waitFor(`log event ${event} ${JSON.stringify(fields)}`,
    () => gateway.logs.find(matches), timeoutMs, 50)
}

/**
 * Stops the gateway, then scans everything it logged (tests run it at debug level) for key
 * material, websocket secrets and the env tests' secret value: a leak fails the suite.
 */
async function stopGateway(gateway: Gateway, timeoutMs: number): Promise<GatewayExit> {
  if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
    gateway.child.kill('SIGTERM')
  }
  const timer = setTimeout(() => gateway.child.kill('SIGKILL'), timeoutMs)
  const exit = await gateway.exited
  clearTimeout(timer)
  const secrets = await collectSecrets(gateway.hostKeysDir, gateway.clientKey.path)
  await rm(gateway.dir, { recursive: true, force: true })

  const leaks = findLeaks(gateway.logs, secrets)
  if (leaks.length > 0) {
    const first = leaks[0].slice(0, 300)
    throw new Error(`the gateway logged secrets in ${leaks.length} lines: ${first}`)
  }
  return exit
}
