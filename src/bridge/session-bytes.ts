import type { SpliceCounters } from './sftp'

/** Which way session data went: in from the client, out to it. */
export type ByteDirection = 'in' | 'out'

/**
 * A session's byte counts, passed on as they grow, so that a long transfer is seen while it
 * runs rather than as one step at its end.
 */
export class SessionBytes implements SpliceCounters {
  private bytesIn = 0
  private bytesOut = 0

  constructor(private readonly onBytes: (direction: ByteDirection, count: number) => void) {}

  received(count: number): void {
    this.bytesIn += count
    this.onBytes('in', count)
  }

  sent(count: number): void {
    this.bytesOut += count
    this.onBytes('out', count)
  }

  /** The totals, as the session_ended log line names them. */
  totals(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: this.bytesIn, bytesOut: this.bytesOut }
  }
}
