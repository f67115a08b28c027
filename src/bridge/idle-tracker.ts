/**
 * Tells when a session has moved no byte for idleMs, from samples of its byte count. Sampling
 * keeps the data path free of timer work: the streams only count, as they already do.
 */
export class IdleTracker {
  private lastBytes: number
  private lastMovedAt: number

  constructor(private readonly idleMs: number, bytes: number, now: number) {
    this.lastBytes = bytes
    this.lastMovedAt = now
  }

  /**
   * Takes a fresh byte count and returns how long the session may still stay idle; 0 means it
   * has been idle for idleMs. Bytes seen now may have moved at any time since the last sample,
   * so they count as moved now: the session is never ended early, at worst one step late.
   */
  remainingMs(bytes: number, now: number): number {
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes
      this.lastMovedAt = now
    }
    return Math.max(0, this.lastMovedAt + this.idleMs - now)
  }
}

/** The most an idle session may outlive idleMs, as a share of it and in absolute terms. */
const STEP_SHARE = 1 / 20
const MIN_STEP_MS = 50
const MAX_STEP_MS = 5000

/**
 * How often to sample a session's byte count: often enough that a session ends within 5 % of
 * idleMs (and at most 5 s) late, seldom enough that thousands of idle sessions cost nothing.
 */
export function idleSampleStep(idleMs: number): number {
  return Math.min(MAX_STEP_MS, Math.max(MIN_STEP_MS, Math.ceil(idleMs * STEP_SHARE)))
}
