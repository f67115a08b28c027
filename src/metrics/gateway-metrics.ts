import { collectDefaultMetrics, Registry } from 'prom-client'
import type { Logger } from 'pino'

import { BackendMetrics } from './backend-metrics'
import { MetricsServer } from './http-server'
import { BackendProber } from './prober'
import { SessionMetrics } from './session-metrics'
import { SshMetrics } from './ssh-metrics'
import type { ExecBackend } from '../backend/types'
import type { ListenAddress } from '../config/schema'

export interface GatewayMetricsOptions {
  listen: ListenAddress
  probeIntervalMs: number
  log: Logger
}

/**
 * The gateway's metrics: one registry, the observers the components report to, the probes of
 * the backends, and the HTTP server that serves them. Only src/metrics knows prom-client.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly ssh = new SshMetrics(this.registry)
  readonly sessions = new SessionMetrics(this.registry)
  readonly backends = new BackendMetrics(this.registry)
  private prober?: BackendProber
  private server?: MetricsServer
  private stopping = false

  constructor(private readonly options: GatewayMetricsOptions) {
    collectDefaultMetrics({ register: this.registry, prefix: 'execgate_' })
  }

  /** Serves, then starts probing the connected backends by name; returns where it listens. */
  async start(backends: ReadonlyMap<string, ExecBackend>): Promise<{ host: string; port: number }> {
    const { listen, probeIntervalMs, log } = this.options
    const sink = this.backends.setReachable.bind(this.backends)
    const prober = new BackendProber(backends, probeIntervalMs, sink, log)
    this.server = new MetricsServer({
      registry: this.registry,
      unhealthy: () => this.unhealthy(prober),
      log,
    })

    const address = await this.server.listen(listen.host, listen.port)
    this.prober = prober
    prober.start()
    log.info(
      { event: 'metrics_listening', host: address.address, port: address.port },
      `metrics on ${address.address}:${address.port}`,
    )
    return { host: address.address, port: address.port }
  }

  /**
   * From now on /healthz answers 503: the SSH port no longer accepts, and a load balancer
   * should send new clients elsewhere while running sessions finish.
   */
  markStopping(): void {
    this.stopping = true
  }

  async stop(): Promise<void> {
    this.prober?.stop()
    await this.server?.close()
  }

  private unhealthy(prober: BackendProber): string | undefined {
    if (this.stopping) return 'gateway stopping'
    const unreachable = prober.unreachable()
    return unreachable.length > 0 ? `backend unreachable: ${unreachable.join(', ')}` : undefined
  }
}
