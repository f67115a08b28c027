import { ErrorCode, GatewayError } from '../errors'
import { parseRecording } from './recording'
import { METRICS_KEYS, parseMetricsConfig } from './metrics'
import { DEFAULT_CONFIG } from './schema'
import { TIMEOUTS_KEYS, parseTimeouts } from './timeouts'
import type {
  BackendConfig,
  BackendTlsConfig,
  GatewayConfig,
  ListenAddress,
  RouteConfig,
} from './schema'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

type Raw = Record<string, unknown>

/** Turns parsed YAML (or flags) into a config, naming the field path of the first problem. */
export function validateConfig(raw: unknown): GatewayConfig {
  const root = asObject(raw ?? {}, '')
  rejectUnknownKeys(root, '', [
    'listen', 'hostKeys', 'authorizedKeys', 'logLevel', 'backend', 'backends', 'routes',
    'login', 'auth', 'ssh', 'session', 'sftp', 'shutdown', 'recording', 'timeouts',
    'metrics',
  ])

  const backend = asObject(root.backend ?? {}, 'backend')
  const login = asObject(root.login ?? {}, 'login')
  const auth = asObject(root.auth ?? {}, 'auth')
  const ssh = asObject(root.ssh ?? {}, 'ssh')
  const session = asObject(root.session ?? {}, 'session')
  const sftp = asObject(root.sftp ?? {}, 'sftp')
  const shutdown = asObject(root.shutdown ?? {}, 'shutdown')
  const timeouts = asObject(root.timeouts ?? {}, 'timeouts')
  const metrics = asObject(root.metrics ?? {}, 'metrics')
  rejectUnknownKeys(login, 'login', ['defaultUser', 'defaultProject'])
  rejectUnknownKeys(auth, 'auth', [
    'maxTries', 'graceMs', 'maxUnauthenticated', 'containerKeys', 'trustedUserCAKeys',
  ])
  rejectUnknownKeys(ssh, 'ssh', ['acceptEnv', 'maxSessions'])
  rejectUnknownKeys(session, 'session', [
    'drainMs', 'sendExitSignal', 'autoStart', 'autoStartTimeoutMs',
  ])
  rejectUnknownKeys(sftp, 'sftp', ['server'])
  rejectUnknownKeys(shutdown, 'shutdown', ['graceMs'])
  rejectUnknownKeys(timeouts, 'timeouts', TIMEOUTS_KEYS)
  rejectUnknownKeys(metrics, 'metrics', METRICS_KEYS)

  // A copy, so that a caller changing its config cannot change the defaults of the next one.
  const defaults = structuredClone(DEFAULT_CONFIG)
  return {
    listen: root.listen === undefined ? defaults.listen : parseListen(root.listen, 'listen'),
    hostKeysDir: optionalString(root.hostKeys, 'hostKeys') ?? defaults.hostKeysDir,
    authorizedKeysFile:
      optionalString(root.authorizedKeys, 'authorizedKeys') ?? defaults.authorizedKeysFile,
    logLevel: parseLogLevel(root.logLevel ?? defaults.logLevel),
    backend: parseBackend(backend, 'backend'),
    backends: parseNamedBackends(root.backends ?? {}),
    routes: parseRoutes(root.routes ?? [], root.backends ?? {}),
    login: {
      defaultUser: optionalString(login.defaultUser, 'login.defaultUser')
        ?? defaults.login.defaultUser,
      defaultProject: optionalString(login.defaultProject, 'login.defaultProject'),
    },
    auth: {
      maxTries: count(auth.maxTries ?? defaults.auth.maxTries, 'auth.maxTries'),
      graceMs: duration(auth.graceMs ?? defaults.auth.graceMs, 'auth.graceMs'),
      maxUnauthenticated: count(
        auth.maxUnauthenticated ?? defaults.auth.maxUnauthenticated,
        'auth.maxUnauthenticated',
      ),
      containerKeys: bool(auth.containerKeys ?? defaults.auth.containerKeys, 'auth.containerKeys'),
      trustedUserCAKeys: optionalString(auth.trustedUserCAKeys, 'auth.trustedUserCAKeys'),
    },
    ssh: {
      acceptEnv: stringList(ssh.acceptEnv ?? defaults.ssh.acceptEnv, 'ssh.acceptEnv'),
      maxSessions: count(ssh.maxSessions ?? defaults.ssh.maxSessions, 'ssh.maxSessions'),
    },
    session: {
      drainMs: duration(session.drainMs ?? defaults.session.drainMs, 'session.drainMs'),
      sendExitSignal: bool(
        session.sendExitSignal ?? defaults.session.sendExitSignal,
        'session.sendExitSignal',
      ),
      autoStart: bool(session.autoStart ?? defaults.session.autoStart, 'session.autoStart'),
      autoStartTimeoutMs: duration(
        session.autoStartTimeoutMs ?? defaults.session.autoStartTimeoutMs,
        'session.autoStartTimeoutMs',
      ),
    },
    sftp: {
      server: oneOf(sftp.server ?? defaults.sftp.server, 'sftp.server', ['daemon', 'container']),
    },
    shutdown: {
      graceMs: duration(shutdown.graceMs ?? defaults.shutdown.graceMs, 'shutdown.graceMs'),
    },
    recording: parseRecording(root.recording),
    timeouts: parseTimeouts(timeouts, { duration, count }),
    metrics: parseMetricsConfig(metrics, parseListen),
  }
}

/** Parses HOST:PORT, [V6]:PORT or a bare port. */
export function parseListen(value: unknown, path: string): ListenAddress {
  const text = typeof value === 'number' ? String(value) : value
  if (typeof text !== 'string') throw invalid(path, 'expected "HOST:PORT"')

  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text)
  if (!match) throw invalid(path, `expected "HOST:PORT", got "${text}"`)

  const port = Number(match[3])
  if (port > 65535) throw invalid(path, `port ${port} is out of range`)
  return { host: match[1] || match[2] || '0.0.0.0', port }
}

function parseBackend(value: Raw, path: string): BackendConfig {
  rejectUnknownKeys(value, path, ['url', 'tls'])
  const url = optionalString(value.url, `${path}.url`)
  const tls = value.tls === undefined ? undefined : parseTls(value.tls, `${path}.tls`)
  if (url?.startsWith('https://') && !tls) {
    throw invalid(`${path}.tls`, `clientCert, clientKey, serverFingerprint required for "${url}"`)
  }
  // No trust on first use: a daemon whose certificate is not pinned could be anyone.
  if (url?.startsWith('https://') && !tls?.serverFingerprint) {
    throw invalid(`${path}.tls.serverFingerprint`, `required for "${url}"`)
  }
  return { url, tls }
}

function parseNamedBackends(value: unknown): Record<string, BackendConfig> {
  const named = asObject(value, 'backends')
  const result: Record<string, BackendConfig> = {}
  for (const [name, raw] of Object.entries(named)) {
    const path = `backends.${name}`
    if (name === 'default') throw invalid(path, '"default" is the top-level backend')
    const backend = parseBackend(asObject(raw, path), path)
    if (!backend.url) throw invalid(`${path}.url`, 'required')
    result[name] = backend
  }
  return result
}

function parseRoutes(value: unknown, backends: unknown): RouteConfig[] {
  if (!Array.isArray(value)) throw invalid('routes', 'expected a list')
  const names = new Set(['default', ...Object.keys(asObject(backends, 'backends'))])
  return value.map((raw, index) => {
    const path = `routes[${index}]`
    const route = asObject(raw, path)
    rejectUnknownKeys(route, path, ['containers', 'backend'])
    const backend = optionalString(route.backend, `${path}.backend`)
    if (!backend) throw invalid(`${path}.backend`, 'required')
    if (!names.has(backend)) throw invalid(`${path}.backend`, `no backend named "${backend}"`)
    const containers = stringList(route.containers, `${path}.containers`)
    if (containers.length === 0) throw invalid(`${path}.containers`, 'needs a pattern')
    return { containers, backend }
  })
}

function parseTls(value: unknown, path: string): BackendTlsConfig {
  const tls = asObject(value, path)
  rejectUnknownKeys(tls, path, ['clientCert', 'clientKey', 'serverFingerprint'])
  const clientCert = optionalString(tls.clientCert, `${path}.clientCert`)
  const clientKey = optionalString(tls.clientKey, `${path}.clientKey`)
  if (!clientCert) throw invalid(`${path}.clientCert`, 'required')
  if (!clientKey) throw invalid(`${path}.clientKey`, 'required')

  const fingerprint = optionalString(tls.serverFingerprint, `${path}.serverFingerprint`)
  const normalized = fingerprint?.replace(/:/g, '').toLowerCase()
  if (normalized !== undefined && !/^[0-9a-f]{64}$/.test(normalized)) {
    throw invalid(`${path}.serverFingerprint`, 'expected a SHA-256 fingerprint in hex')
  }
  return { clientCert, clientKey, serverFingerprint: normalized }
}

function parseLogLevel(value: unknown): string {
  if (typeof value !== 'string' || !LOG_LEVELS.includes(value)) {
    throw invalid('logLevel', `expected one of ${LOG_LEVELS.join(', ')}`)
  }
  return value
}

function asObject(value: unknown, path: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path || '(top level)', 'expected a mapping')
  }
  return value as Raw
}

function rejectUnknownKeys(object: Raw, path: string, known: string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw invalid(path ? `${path}.${key}` : key, 'unknown key')
  }
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value === '') throw invalid(path, 'expected a non-empty string')
  return value
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw invalid(path, 'expected a list of strings')
  value.forEach((item, index) => {
    if (typeof item !== 'string' || item === '') {
      throw invalid(`${path}[${index}]`, 'expected a string')
    }
  })
  return value as string[]
}

/** Node's timers silently turn anything from 2^31 ms up into 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1

function duration(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(path, 'expected a whole number of milliseconds, 0 or more')
  }
  if (value > MAX_TIMER_MS) throw invalid(path, `at most ${MAX_TIMER_MS} milliseconds`)
  return value
}

function oneOf<T extends string>(value: unknown, path: string, choices: T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw invalid(path, `expected one of ${choices.join(', ')}`)
  }
  return value as T
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw invalid(path, 'expected a whole number from 1 to 1000000')
  }
  return value
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, 'expected true or false')
  return value
}

function invalid(path: string, reason: string): GatewayError {
  return new GatewayError(ErrorCode.CONFIG_INVALID, `${path}: ${reason}`, {
    userMessage: 'gateway configuration is invalid',
  })
}
