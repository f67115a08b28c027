import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { WriteStream } from 'node:fs'
import type { Logger } from 'pino'

/** Stable codes of the warnings a recording logs when it stops early. */
export const RecordingCode = {
  WRITE_FAILED: 'RECORDING_WRITE_FAILED',
  BEHIND: 'RECORDING_BEHIND',
  CAP_REACHED: 'RECORDING_CAP_REACHED',
  /** A fault of the recorder itself, caught so that the session goes on. */
  FAILED: 'RECORDING_FAILED',
} as const

/**
 * Output that has not reached the disk yet, beyond which the recording stops: a disk that is
 * slower than the session must cost the session neither time nor unbounded memory.
 */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024

/**
 * A file that lines are appended to without waiting: the folder is made and the file opened in
 * the background, and lines written meanwhile are queued. The first failure is logged once and
 * turns the file broken; later writes are dropped.
 */
export class LineFile {
  private stream?: WriteStream
  private queued: string[] = []
  private stopped = false
  private failed = false
  private readonly closed: Promise<void>
  private markClosed!: () => void

  constructor(readonly path: string, private readonly log: Logger) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve))
    this.open().catch((err: unknown) => this.fail(RecordingCode.WRITE_FAILED, err))
  }

  /** Whether lines are still taken: not after close(), abandon() or a failure. */
  get isOpen(): boolean {
    return !this.stopped
  }

  /** Resolves once the file is closed, whoever closed it, or failed. */
  get whenClosed(): Promise<void> {
    return this.closed
  }

  /** Bytes accepted but not yet on disk. */
  get backlog(): number {
    return this.stream?.writableLength ?? 0
  }

  write(line: string): void {
    if (this.stopped) return
    if (this.stream) this.stream.write(line)
    else this.queued.push(line)
  }

  /** Stops taking lines, with a warning, and closes the file; the session is not told. */
  abandon(code: string, detail: Record<string, unknown>): void {
    if (this.stopped) return
    this.log.warn({ event: 'recording_stopped', code, file: this.path, ...detail },
      'recording stopped')
    this.close()
  }

  /** Ends the file once every queued line is written; resolves when it is closed. */
  close(): Promise<void> {
    if (this.stopped) return this.closed
    this.stopped = true
    // Without a stream yet, open() ends it as soon as it exists.
    if (this.stream) this.stream.end(() => this.markClosed())
    return this.closed
  }

  private async open(): Promise<void> {
    // Recordings hold whatever appeared on a terminal: only the gateway's user may read them.
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    const stream = createWriteStream(this.path, { flags: 'wx', mode: 0o600 })
    stream.on('error', (err) => this.fail(RecordingCode.WRITE_FAILED, err))
    this.stream = stream
    if (this.queued.length > 0) stream.write(this.queued.join(''))
    this.queued = []
    if (this.stopped) stream.end(() => this.markClosed())
  }

  private fail(code: string, err: unknown): void {
    if (this.failed) return
    this.failed = true
    this.stopped = true
    this.log.warn({ err, event: 'recording_failed', code, file: this.path }, 'recording failed')
    this.stream?.destroy()
    this.markClosed()
  }
}
