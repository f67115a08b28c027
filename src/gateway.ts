import type { Logger } from 'pino'

import { LxdBackend } from './backend/lxd/backend'
import { detectLocalSocket } from './backend/lxd/detect'
import { parseEndpoint } from './backend/lxd/endpoint'
import { RoutingBackend } from './backend/routing'
import { SessionBridge } from './bridge/session-bridge'
import { GatewayMetrics } from './metrics/gateway-metrics'
import { parseAuthorizedKeys, readAuthorizedKeys } from './ssh/authorized-keys'
import { decideCertificate } from './ssh/certificate'
import { loadHostKeys } from './ssh/host-keys'
import { SshServer } from './ssh/server'
import { readTrustedCAKeys } from './ssh/trusted-ca-keys'
import type { ExecBackend } from './backend/types'
import type { BackendConfig, GatewayConfig } from './config/schema'
import type { AuthorizedKey } from './ssh/authorized-keys'
import type { ConnectionSettings } from './ssh/connection'
import type { LoginTarget } from './ssh/types'

/** How long stop() waits for clients to hang up after their sessions ended. */
const DISCONNECT_WAIT_MS = 2000

/**
 * Wires the SSH server to a backend through the bridge, and owns the order of start and stop.
 * This is the one place that knows both sides.
 */
export class Gateway {
  private server?: SshServer
  private bridge?: SessionBridge
  private backend?: ExecBackend
  private metrics?: GatewayMetrics
  /** Every connected backend by its name in routes, `default` included. */
  private readonly named = new Map<string, ExecBackend>()
  private stopping = false

  constructor(private readonly config: GatewayConfig, private readonly log: Logger) {}

  async start(): Promise<{ host: string; port: number }> {
    const hostKeys = loadHostKeys(this.config.hostKeysDir)
    for (const key of hostKeys) {
      const { type, fingerprint, file, generated } = key
      this.log.info({ event: 'host_key_loaded', type, fingerprint, file, generated }, 'host key')
    }
    const authorizedKeys = this.loadAuthorizedKeys()
    const certificate = this.loadTrustedCAKeys()
    this.metrics = this.createMetrics()

    const backend = await this.connectBackend()
    this.backend = backend
    this.bridge = new SessionBridge({
      backend: this.backend,
      drainMs: this.config.session.drainMs,
      sendExitSignal: this.config.session.sendExitSignal,
      sftpServer: this.config.sftp.server,
      autoStart: this.config.session.autoStart,
      autoStartTimeoutMs: this.config.session.autoStartTimeoutMs,
      observer: this.metrics?.sessions,
    })

    this.server = new SshServer({
      host: this.config.listen.host,
      port: this.config.listen.port,
      hostKeys,
      maxUnauthenticated: this.config.auth.maxUnauthenticated,
      loginGraceMs: this.config.auth.graceMs,
      connection: {
        authorizedKeys: () => authorizedKeys,
        containerKeys: this.config.auth.containerKeys ? this.containerKeys(backend) : undefined,
        certificate,
        defaultUser: this.config.login.defaultUser,
        defaultProject: this.config.login.defaultProject,
        maxAuthTries: this.config.auth.maxTries,
        maxSessions: this.config.ssh.maxSessions,
        acceptEnv: this.config.ssh.acceptEnv,
        subsystems: ['sftp'],
        handler: this.bridge.handle,
      },
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
    this.log.info({ event: 'gateway_stopped' }, 'stopped')
  }

  /** Metrics only when a listen address is configured; nothing counts otherwise. */
  private createMetrics(): GatewayMetrics | undefined {
    const { listen, probeIntervalMs } = this.config.metrics
    if (!listen) return undefined
    return new GatewayMetrics({ listen, probeIntervalMs, log: this.log })
  }

  private loadAuthorizedKeys(): AuthorizedKey[] {
    const file = this.config.authorizedKeysFile
    const { keys, skipped } = readAuthorizedKeys(file)
    for (const { line, reason } of skipped) {
      this.log.warn({ event: 'authorized_key_skipped', file, line, reason }, 'key line skipped')
    }
    this.log.info({ event: 'authorized_keys_loaded', file, keys: keys.length }, 'keys loaded')
    return keys
  }

  /** The certificate check when a CA file is set; without one, certificates match no key. */
  private loadTrustedCAKeys(): ConnectionSettings['certificate'] {
    const file = this.config.auth.trustedUserCAKeys
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
