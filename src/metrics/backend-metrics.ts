import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

import type { BackendFailure, BackendObserver, BackendRequestReport } from './observer'

/** A local socket answers in a millisecond; a daemon across a network, or a busy one, not. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Daemon request metrics and reachability, by the backend's configured name. */
export class BackendMetrics {
  private readonly latency: Histogram<'backend' | 'daemon' | 'method' | 'route'>
  private readonly errors: Counter<'backend' | 'daemon' | 'reason'>
  private readonly up: Gauge<'backend' | 'daemon'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.latency = new Histogram({
      name: 'execgate_backend_request_duration_seconds',
      help: 'Time to the daemon\'s answer to a REST request; waits on operations left out',
      labelNames: ['backend', 'daemon', 'method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.errors = new Counter({
      name: 'execgate_backend_request_errors_total',
      help: 'Daemon requests that got no answer, or an HTTP 5xx, by reason',
      labelNames: ['backend', 'daemon', 'reason'],
      registers,
    })
    this.up = new Gauge({
      name: 'execgate_backend_up',
      help: 'Whether the backend answered its last probe (1) or not (0)',
      labelNames: ['backend', 'daemon'],
      registers,
    })
  }

  /** The observer one named backend reports to. */
  observerFor(backend: string): BackendObserver {
    return {
      requestFinished: (report: BackendRequestReport) => {
        const { daemon, method, route, durationSeconds } = report
        this.latency.observe({ backend, daemon, method, route }, durationSeconds)
      },
      requestFailed: (daemon: string, reason: BackendFailure) => {
        this.errors.inc({ backend, daemon, reason })
      },
    }
  }

  setReachable(backend: string, daemon: string, reachable: boolean): void {
    this.up.set({ backend, daemon }, reachable ? 1 : 0)
  }
}
