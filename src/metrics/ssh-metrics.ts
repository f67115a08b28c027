import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'

import type { AuthResult, DropReason, SshObserver } from './observer'

/** Connection and authentication metrics, fed by the SSH server. */
export class SshMetrics implements SshObserver {
  private readonly accepted: Counter
  private readonly authenticated: Counter
  private readonly dropped: Counter<'reason'>
  private readonly closed: Counter<'stage'>
  private readonly open: Gauge<'stage'>
  private readonly auth: Counter<'method' | 'result'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.accepted = new Counter({
      name: 'execgate_connections_accepted_total',
      help: 'TCP connections accepted, including those dropped at once',
      registers,
    })
    this.authenticated = new Counter({
      name: 'execgate_connections_authenticated_total',
      help: 'Connections whose client authenticated',
      registers,
    })
    this.dropped = new Counter({
      name: 'execgate_connections_dropped_total',
      help: 'Connections the gateway cut, by reason',
      labelNames: ['reason'],
      registers,
    })
    this.closed = new Counter({
      name: 'execgate_connections_closed_total',
      help: 'Connections closed, by the stage they had reached',
      labelNames: ['stage'],
      registers,
    })
    this.open = new Gauge({
      name: 'execgate_connections_open',
      help: 'Connections open now, by stage',
      labelNames: ['stage'],
      registers,
    })
    this.auth = new Counter({
      name: 'execgate_auth_requests_total',
      help: 'Authentication requests, by method and result',
      labelNames: ['method', 'result'],
      registers,
    })
    // Zero series up front, so that a rate over a fresh gateway is 0 rather than absent.
    for (const stage of STAGES) this.open.set({ stage }, 0)
  }

  connectionAccepted(): void {
    this.accepted.inc()
    this.open.inc({ stage: 'authenticating' })
  }

  connectionAuthenticated(): void {
    this.authenticated.inc()
    this.open.dec({ stage: 'authenticating' })
    this.open.inc({ stage: 'authenticated' })
  }

  connectionDropped(reason: DropReason): void {
    this.dropped.inc({ reason })
  }

  connectionClosed(authenticated: boolean): void {
    const stage = authenticated ? 'authenticated' : 'authenticating'
    this.closed.inc({ stage })
    this.open.dec({ stage })
  }

  authRequest(method: string, result: AuthResult): void {
    this.auth.inc({ method, result })
  }
}

const STAGES = ['authenticating', 'authenticated'] as const
