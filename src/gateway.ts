import type { Logger } from 'pino'

import { LxdBackend } from './backend/lxd/backend'
import { detectLocalSocket } from './backend/lxd/detect'
import { parseEndpoint } from './backend/lxd/endpoint'
import { RoutingBackend } from './backend/routing'
import { SessionBridge } from './bridge/session-bridge'
import { settlesWithin } from './bridge/wait'
import { createRecorder } from './recording/recorder'
import { GatewayMetrics } from './metrics/gateway-metrics'
import { parseAuthorizedKeys, readAuthorizedKeys } from './ssh/authorized-keys'
import { decideCertificate } from './ssh/certificate'
import { loadHostKeys } from './ssh/host-keys'
import { SshServer } from './ssh/server'
import type { ReloadableServerSettings } from './ssh/server'
import { readTrustedCAKeys } from './ssh/trusted-ca-keys'
import type { ExecBackend } from './backend/types'
import type { BridgeSettings } from './bridge/running-session'
import type { BackendConfig, GatewayConfig } from './config/schema'
import type { AuthorizedKey } from './ssh/authorized-keys'
import type { ConnectionSettings } from './ssh/connection'
import type { FileRecorder } from './recording/recorder'
import type { LoginTarget } from './ssh/types'

/** How long stop() waits for clients to hang up after their sessions ended. */
const DISCONNECT_WAIT_MS = 2000

/** How long stop() waits for the last recordings to reach the disk. */
const RECORDING_FLUSH_MS = 5000

/**
 * What a reload cannot change: the listening sockets (SSH and metrics) and host keys are taken
 * at start, and the backends hold connections to their daemons. A reload logs that these need
 * a restart.
 */
const RESTART_FIELDS = [
  'listen', 'hostKeysDir', 'backend', 'backends', 'routes', 'metrics',
] as const

/** The access rules read from files: they are read again on every reload. */
interface AccessRules {
  authorizedKeys: AuthorizedKey[]
  certificate: ConnectionSettings['certificate']
}

/** Config values are plain data from YAML, so their JSON says whether two are the same. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function keepaliveOf(config: GatewayConfig) {
  const { keepaliveIntervalMs: intervalMs, keepaliveCountMax: countMax } = config.timeouts
  return { intervalMs, countMax }
}

function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, from[key]])) as Pick<T, K>
}

/**
 * Wires the SSH server to a backend through the bridge, and owns the order of start and stop.
 * This is the one place that knows both sides.
 */
export class Gateway {
  private server?: SshServer
  private bridge?: SessionBridge
  private backend?: ExecBackend
  private recorder?: FileRecorder
  private readonly retiredRecorders: FileRecorder[] = []
  private metrics?: GatewayMetrics
  /** Every connected backend by its name in routes, `default` included. */
  private readonly named = new Map<string, ExecBackend>()
  private stopping = false

  constructor(private config: GatewayConfig, private readonly log: Logger) {}

  async start(): Promise<{ host: string; port: number }> {
    const hostKeys = loadHostKeys(this.config.hostKeysDir)
    for (const key of hostKeys) {
      const { type, fingerprint, file, generated } = key
      this.log.info({ event: 'host_key_loaded', type, fingerprint, file, generated }, 'host key')
    }
    const rules = this.loadRules(this.config)
    this.metrics = this.createMetrics()

    const backend = await this.connectBackend()
    this.backend = backend
    this.recorder = createRecorder(this.config.recording)
    const bridge = new SessionBridge(this.bridgeSettings(this.config, backend))
    this.bridge = bridge

    this.server = new SshServer({
      host: this.config.listen.host,
      port: this.config.listen.port,
      hostKeys,
      keepalive: keepaliveOf(this.config),
      ...this.serverSettings(this.config, rules, backend, bridge),
      log: this.log,
      observer: this.metrics?.ssh,
    })
    // Before the SSH port opens: a gateway whose metrics cannot listen must not serve unseen.
    await this.metrics?.start(this.named)
    const address = await this.server.listen().catch(async (err: unknown) => {
      // An open metrics server would keep a process that failed to start alive.
      await this.metrics?.stop()
      throw err
    })
    this.log.info(
      { event: 'gateway_listening', host: address.address, port: address.port },
      `listening on ${address.address}:${address.port}`,
    )
    return { host: address.address, port: address.port }
  }

  /**
   * Applies a re-read configuration to the connections and sessions that start from now on;
   * open ones keep the rules they began with. The key files are read again even when the
   * configuration itself is unchanged. Throws, changing nothing, if a key file is unusable.
   */
  reload(next: GatewayConfig): void {
    const { server, bridge, backend } = this
    if (!server || !bridge || !backend) throw new Error('the gateway has not started')

    const rules = this.loadRules(next)
    const differs = (field: keyof GatewayConfig) => !sameValue(this.config[field], next[field])
    const needsRestart: string[] = RESTART_FIELDS.filter(differs)
    // ssh2 takes its keepalive settings once, when the server is made.
    if (!sameValue(keepaliveOf(this.config), keepaliveOf(next))) needsRestart.push('keepalive')
    const changed = (Object.keys(next) as (keyof GatewayConfig)[]).filter(differs)

    if (!sameValue(this.config.recording, next.recording)) this.replaceRecorder(next)
    server.useSettings(this.serverSettings(next, rules, backend, bridge))
    bridge.useSettings(this.bridgeSettings(next, backend))
    this.log.level = next.logLevel
    const { keepaliveIntervalMs, keepaliveCountMax } = this.config.timeouts
    this.config = {
      ...next,
      ...pick(this.config, RESTART_FIELDS),
      timeouts: { ...next.timeouts, keepaliveIntervalMs, keepaliveCountMax },
    }

    this.log.info({ event: 'config_reloaded', changed }, 'configuration reloaded')
    if (needsRestart.length > 0) {
      this.log.warn(
        { event: 'config_restart_needed', fields: needsRestart },
        `changes to ${needsRestart.join(', ')} take effect at the next restart`,
      )
    }
  }

  /** New sessions record to the new place; running ones finish in the old recorder. */
  private replaceRecorder(next: GatewayConfig): void {
    const fresh = createRecorder(next.recording)
    if (this.recorder) this.retiredRecorders.push(this.recorder)
    this.recorder = fresh
  }

  private loadRules(config: GatewayConfig): AccessRules {
    return {
      authorizedKeys: this.loadAuthorizedKeys(config.authorizedKeysFile),
      certificate: this.loadTrustedCAKeys(config.auth.trustedUserCAKeys),
    }
  }

  private bridgeSettings(config: GatewayConfig, backend: ExecBackend): BridgeSettings {
    return {
      backend,
      drainMs: config.session.drainMs,
      sendExitSignal: config.session.sendExitSignal,
      sftpServer: config.sftp.server,
      autoStart: config.session.autoStart,
      autoStartTimeoutMs: config.session.autoStartTimeoutMs,
      recorder: this.recorder,
      observer: this.metrics?.sessions,
      limits: { idleMs: config.timeouts.idleMs, maxSessionMs: config.timeouts.maxSessionMs },
    }
  }

  private serverSettings(
    config: GatewayConfig,
    rules: AccessRules,
    backend: ExecBackend,
    bridge: SessionBridge,
  ): ReloadableServerSettings {
    const { authorizedKeys, certificate } = rules
    return {
      maxUnauthenticated: config.auth.maxUnauthenticated,
      loginGraceMs: config.auth.graceMs,
      connection: {
        authorizedKeys: () => authorizedKeys,
        containerKeys: config.auth.containerKeys ? this.containerKeys(backend) : undefined,
        certificate,
        defaultUser: config.login.defaultUser,
        defaultProject: config.login.defaultProject,
        maxAuthTries: config.auth.maxTries,
        maxSessions: config.ssh.maxSessions,
        acceptEnv: config.ssh.acceptEnv,
        subsystems: ['sftp'],
        handler: bridge.handle,
      },
    }
  }

  /**
   * Stops accepting, lets running sessions go on for the grace time, then ends what is left.
   */
  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true

    const graceMs = this.config.shutdown.graceMs
    const sessions = this.bridge?.activeCount ?? 0
    this.log.info({ event: 'gateway_stopping', sessions, graceMs }, 'stopping')
    this.metrics?.markStopping()
    this.server?.stopAccepting()

    const drained = (await this.bridge?.waitForIdle(graceMs)) ?? true
    if (!drained) {
      this.log.warn({ event: 'sessions_ended_at_shutdown' }, 'grace time over; ending sessions')
      await this.bridge?.terminateAll()
      await this.bridge?.waitForIdle(2000)
    }
    // A client whose last session just ended closes its connection by itself once it has read
    // the exit status; cutting it sooner would turn that status into ssh's own 255.
    await this.server?.waitForDisconnects(DISCONNECT_WAIT_MS)
    this.server?.disconnectAll()
    await this.metrics?.stop()
    this.backend?.close()
    const recorders = [...this.retiredRecorders, ...this.recorder ? [this.recorder] : []]
    await settlesWithin(Promise.all(recorders.map((r) => r.flushed())), RECORDING_FLUSH_MS)
    this.log.info({ event: 'gateway_stopped' }, 'stopped')
  }

  /** Metrics only when a listen address is configured; nothing counts otherwise. */
  private createMetrics(): GatewayMetrics | undefined {
    const { listen, probeIntervalMs } = this.config.metrics
    if (!listen) return undefined
    return new GatewayMetrics({ listen, probeIntervalMs, log: this.log })
  }

  private loadAuthorizedKeys(file: string): AuthorizedKey[] {
    const { keys, skipped } = readAuthorizedKeys(file)
    for (const { line, reason } of skipped) {
      this.log.warn({ event: 'authorized_key_skipped', file, line, reason }, 'key line skipped')
    }
    this.log.info({ event: 'authorized_keys_loaded', file, keys: keys.length }, 'keys loaded')
    return keys
  }

  /** The certificate check when a CA file is set; without one, certificates match no key. */
  private loadTrustedCAKeys(file: string | undefined): ConnectionSettings['certificate'] {
    if (!file) return undefined

    const { keys, skipped } = readTrustedCAKeys(file)
    for (const { line, reason } of skipped) {
      this.log.warn({ event: 'trusted_ca_key_skipped', file, line, reason }, 'CA key line skipped')
    }
    const fingerprints = keys.map((key) => key.fingerprint)
    this.log.info(
      { event: 'trusted_ca_keys_loaded', file, count: keys.length, fingerprints },
      'trusted CA keys loaded',
    )
    return (ctx, login, address) => decideCertificate(ctx, login, address, keys)
  }

  /**
   * Reads the login's own ~/.ssh/authorized_keys in the container. A key found there reaches
   * only that user in that container, whatever its options say about other places.
   */
  private containerKeys(backend: ExecBackend) {
    return async (login: LoginTarget): Promise<AuthorizedKey[]> => {
      const instance = { name: login.container, project: login.project }
      const user = login.user ?? 'root'
      const text = await backend.readUserFile(instance, user, '.ssh/authorized_keys')
        .catch((err: unknown) => {
          this.log.debug({ err, event: 'container_keys_unreadable' }, 'no container keys')
          return undefined
        })
      if (text === undefined) return []

      const only = { containers: [`${login.container}.${login.project ?? 'default'}`] }
      return parseAuthorizedKeys(text).keys.map((key) => ({
        ...key,
        restrictions: { ...key.restrictions, ...only, users: [login.user ?? 'root'] },
      }))
    }
  }

  /** One backend, or a router over the default backend and the named ones. */
  private async connectBackend(): Promise<ExecBackend> {
    const { backend, backends, routes } = this.config
    const fallback = await this.connectOne('default', backend)
    if (Object.keys(backends).length === 0) return fallback

    const connected = new Map<string, ExecBackend>([['default', fallback]])
    for (const [name, settings] of Object.entries(backends)) {
      connected.set(name, await this.connectOne(name, settings))
    }
    return new RoutingBackend(connected, routes, 'default')
  }

  private async connectOne(name: string, settings: BackendConfig): Promise<ExecBackend> {
    const location = settings.url ?? detectLocalSocket()
    if (!settings.url) {
      this.log.info({ event: 'backend_detected', socket: location }, 'local daemon found')
    }

    const endpoint = parseEndpoint(location, settings.tls)
    const observer = this.metrics?.backends.observerFor(name)
    const backend = await LxdBackend.connect(endpoint, this.log, observer)
    this.named.set(name, backend)
    this.log.info(
      { event: 'backend_connected', name, backend: backend.describe() },
      `backend ${name} ready`,
    )
    return backend
  }
}
