/**
 * Holds back repeats of a log line, so that a flood (10,000 refused env requests, a burst of
 * dropped connections) costs one line per interval instead of one per event. The line that
 * does go out says how many were held back since the one before.
 */
export class LogThrottle {
  private readonly lines = new Map<string, { at: number; heldBack: number }>()

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a line for `key` goes out now; if so, how many were held back before it. */
  admit(key: string): { heldBack: number } | undefined {
    const at = this.now()
    const last = this.lines.get(key)
    if (last && at - last.at < this.intervalMs) {
      last.heldBack += 1
      return undefined
    }
    this.lines.set(key, { at, heldBack: 0 })
    return { heldBack: last?.heldBack ?? 0 }
  }
}
