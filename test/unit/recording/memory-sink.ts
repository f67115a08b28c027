import type { LineSink } from '../../../src/recording/cast-writer'

/** A LineSink that keeps its lines in memory and records how it was stopped. */
export class MemorySink implements LineSink {
  readonly lines: string[] = []
  readonly abandoned: { code: string; detail: Record<string, unknown> }[] = []
  backlog = 0
  closed = false

  /** `onWrite` runs before each line is kept; a test makes it throw to fake a broken sink. */
  constructor(private readonly onWrite?: () => void) {}

  get isOpen(): boolean {
    return !this.closed
  }

  write(line: string): void {
    this.onWrite?.()
    if (!this.closed) this.lines.push(line)
  }

  abandon(code: string, detail: Record<string, unknown>): void {
    this.abandoned.push({ code, detail })
    this.closed = true
  }

  close(): Promise<void> {
    this.closed = true
    return Promise.resolve()
  }

  /** Every line parsed; the first is the header. */
  parsed(): unknown[] {
    return this.lines.map((line) => JSON.parse(line) as unknown)
  }

  get bytes(): number {
    return this.lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0)
  }
}
