import type { Logger } from 'pino'

import type { ExecBackend } from '../backend/types'

/** Told of each probe's result. */
export type ReachabilitySink = (backend: string, daemon: string, reachable: boolean) => void

/**
 * Asks every named backend, one round after another, whether its daemon answers. Rounds never
 * overlap: a daemon that hangs delays the next round instead of piling probes onto it.
 */
export class BackendProber {
  private readonly reachable = new Map<string, boolean>()
  private timer?: NodeJS.Timeout
  private stopped = false

  constructor(
    private readonly backends: ReadonlyMap<string, ExecBackend>,
    private readonly intervalMs: number,
    private readonly sink: ReachabilitySink,
    private readonly log: Logger,
  ) {}

  /** Every backend has just answered at connect time, so each starts out reachable. */
  start(): void {
    for (const [name, backend] of this.backends) this.record(name, backend, true)
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  /** The names of the backends whose last probe failed. */
  unreachable(): string[] {
    return [...this.reachable].filter(([, reachable]) => !reachable).map(([name]) => name)
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => void this.probeAll().finally(() => this.schedule()),
      this.intervalMs)
    // The probes must not be what keeps a stopping process alive.
    this.timer.unref()
  }

  private async probeAll(): Promise<void> {
    await Promise.all([...this.backends].map(([name, backend]) => this.probeOne(name, backend)))
  }

  private async probeOne(name: string, backend: ExecBackend): Promise<void> {
    try {
      await backend.probe()
      if (this.stopped) return
      if (this.reachable.get(name) === false) {
        this.log.info({ event: 'backend_reachable', name }, `backend ${name} answers again`)
      }
      this.record(name, backend, true)
    } catch (err) {
      if (this.stopped) return
      if (this.reachable.get(name) !== false) {
        this.log.error({ err, event: 'backend_unreachable', name }, `backend ${name} unreachable`)
      }
      this.record(name, backend, false)
    }
  }

  private record(name: string, backend: ExecBackend, reachable: boolean): void {
    this.reachable.set(name, reachable)
    this.sink(name, backend.kind, reachable)
  }
}
