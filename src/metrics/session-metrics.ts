import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

import { exitStatusBucket } from './exit-status'
import type { SessionKind, SessionObserver, SessionReport } from './observer'

/** From a `true` to a long shell; an hour and more lands in the last buckets. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400]

const KINDS: readonly SessionKind[] = ['shell', 'exec', 'sftp', 'subsystem']
const DIRECTIONS = ['in', 'out'] as const

/** Session metrics, fed by the bridge. */
export class SessionMetrics implements SessionObserver {
  private readonly started: Counter<'kind'>
  private readonly ended: Counter<'kind' | 'outcome'>
  private readonly open: Gauge<'kind'>
  private readonly duration: Histogram<'kind'>
  /** One child per kind and direction, bound up front: bytes are counted chunk by chunk. */
  private readonly bytes = new Map<string, Counter.Internal>()
  private readonly exitStatus: Counter<'kind' | 'status'>

  constructor(registry: Registry) {
    const registers = [registry]
    const labelNames = ['kind'] as const
    this.started = new Counter({
      name: 'execgate_sessions_started_total',
      help: 'Sessions that asked for a shell, a command or a subsystem, by kind',
      labelNames,
      registers,
    })
    this.ended = new Counter({
      name: 'execgate_sessions_ended_total',
      help: 'Sessions ended, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    })
    this.open = new Gauge({
      name: 'execgate_sessions_open',
      help: 'Sessions running now, by kind',
      labelNames,
      registers,
    })
    this.duration = new Histogram({
      name: 'execgate_session_duration_seconds',
      help: 'How long sessions ran, from the request to the exit status',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    })
    const bytes = new Counter({
      name: 'execgate_session_bytes_total',
      help: 'Bytes of session data, in from clients and out to them, counted as they pass',
      labelNames: ['kind', 'direction'],
      registers,
    })
    this.exitStatus = new Counter({
      name: 'execgate_session_exit_status_total',
      help: 'Exit statuses sent to clients, by kind and status range',
      labelNames: ['kind', 'status'],
      registers,
    })
    for (const kind of KINDS) {
      this.open.set({ kind }, 0)
      for (const direction of DIRECTIONS) {
        const child = bytes.labels({ kind, direction })
        // A child holds no series until it is first incremented.
        child.inc(0)
        this.bytes.set(`${kind} ${direction}`, child)
      }
    }
  }

  sessionStarted(kind: SessionKind): void {
    this.started.inc({ kind })
    this.open.inc({ kind })
  }

  sessionBytes(kind: SessionKind, direction: 'in' | 'out', count: number): void {
    this.bytes.get(`${kind} ${direction}`)?.inc(count)
  }

  sessionEnded(report: SessionReport): void {
    const { kind } = report
    this.open.dec({ kind })
    this.ended.inc({ kind, outcome: report.outcome })
    this.duration.observe({ kind }, report.durationSeconds)
    if (report.exitStatus !== undefined) {
      this.exitStatus.inc({ kind, status: exitStatusBucket(report.exitStatus) })
    }
  }
}
