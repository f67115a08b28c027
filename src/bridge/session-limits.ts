import { ErrorCode, GatewayError } from '../errors'
import { IdleTracker, idleSampleStep } from './idle-tracker'

export interface SessionLimitSettings {
  /** End a session that moved no byte either way for this long; 0 is off. */
  idleMs: number
  /** End a session that has run this long; 0 is off. */
  maxSessionMs: number
}

/**
 * The idle and maximum-length clocks of one session. `reached` rejects with the limit's error
 * when one runs out, and never settles when none does; stop() when the session has ended.
 */
export class SessionLimits {
  readonly reached: Promise<never>
  private rejectReached!: (err: GatewayError) => void
  private readonly timers = new Set<NodeJS.Timeout>()
  private expired = false

  constructor(
    private readonly settings: SessionLimitSettings,
    private readonly bytesMoved: () => number,
  ) {
    this.reached = new Promise<never>((_, reject) => (this.rejectReached = reject))
    // The session races this against its exec; once the exec has won, nobody listens to it.
    this.reached.catch(() => undefined)

    const { idleMs, maxSessionMs } = settings
    if (maxSessionMs > 0) this.after(maxSessionMs, () => this.expire(timeLimitError(maxSessionMs)))
    if (idleMs > 0) this.watchIdle(new IdleTracker(idleMs, bytesMoved(), Date.now()))
  }

  /** Whether a limit has ended the session. */
  get hasExpired(): boolean {
    return this.expired
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }

  private watchIdle(tracker: IdleTracker): void {
    const step = idleSampleStep(this.settings.idleMs)
    const sample = (): void => {
      const remaining = tracker.remainingMs(this.bytesMoved(), Date.now())
      if (remaining === 0) this.expire(idleError(this.settings.idleMs))
      else this.after(Math.min(remaining, step), sample)
    }
    this.after(Math.min(this.settings.idleMs, step), sample)
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      action()
    }, ms)
    // A session's sockets keep the process alive; its clocks need not.
    timer.unref()
    this.timers.add(timer)
  }

  private expire(err: GatewayError): void {
    if (this.expired) return
    this.expired = true
    this.stop()
    this.rejectReached(err)
  }
}

function idleError(idleMs: number): GatewayError {
  return new GatewayError(
    ErrorCode.SESSION_IDLE_TIMEOUT,
    `no data either way for ${idleMs} ms (timeouts.idleMs)`,
    { userMessage: `session idle for ${seconds(idleMs)}, closing` },
  )
}

function timeLimitError(maxSessionMs: number): GatewayError {
  return new GatewayError(
    ErrorCode.SESSION_TIME_LIMIT,
    `session ran for ${maxSessionMs} ms (timeouts.maxSessionMs)`,
    { userMessage: `session reached its maximum length of ${seconds(maxSessionMs)}, closing` },
  )
}

/** "300 s", "1.5 s": what a user reads, with no more digits than the setting has. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`
}
