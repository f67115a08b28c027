import type { Logger } from 'pino'

import { castHeader } from './cast-header'
import { CastWriter } from './cast-writer'
import { logExecAudit } from './audit'
import { recordingPath } from './file-name'
import { RecordingCode } from './line-file'
import type { LineSink } from './cast-writer'
import type {
  ProgramStart,
  RecordedSession,
  SessionSummary,
  SessionTap,
  TerminalDimensions,
} from './types'

export interface TapSettings {
  dir: string
  maxBytes: number
  execOutput: boolean
  /** Wall clock, for the file name and the header. */
  date: () => Date
  /** Monotonic milliseconds, for event times. */
  now: () => number
  /** Opens the file a recording is written to: a LineFile, or an array in tests. */
  openSink: (path: string, log: Logger) => LineSink
}

/**
 * One session's recording. It writes an asciicast file for a terminal session (and, with
 * execOutput, for one without), and the exec_audit line for a session without a terminal.
 * Every entry point catches what it throws: a fault here stops the recording, not the session.
 */
export class RecordingTap implements SessionTap {
  private writer?: CastWriter
  private sink?: LineSink
  private file?: string

  constructor(
    private readonly session: RecordedSession,
    private readonly settings: TapSettings,
    private readonly log: Logger,
  ) {}

  started(program: ProgramStart): void {
    if (!this.wantsFile()) return
    this.guard(() => this.openRecording(program))
  }

  output(chunk: Buffer): void {
    if (this.writer) this.guard(() => this.writer?.output(chunk))
  }

  resize(size: TerminalDimensions): void {
    if (this.writer) this.guard(() => this.writer?.resize(size))
  }

  end(summary: SessionSummary): void {
    this.guard(() => {
      if (!this.session.terminal) logExecAudit(this.log, this.session, summary, this.file)
      this.finishRecording()
    })
  }

  /** Subsystems (sftp) are file transfers, not something a person watched: never recorded. */
  private wantsFile(): boolean {
    if (this.session.kind === 'subsystem') return false
    return this.session.terminal !== undefined || this.settings.execOutput
  }

  private openRecording(program: ProgramStart): void {
    const startedAt = this.settings.date()
    const file = recordingPath(this.settings.dir, startedAt, this.session)
    const sink = this.settings.openSink(file, this.log)
    this.sink = sink
    const header = castHeader(this.session, program, startedAt)
    this.writer = new CastWriter(sink, header, this.settings.maxBytes, this.settings.now)
    this.file = file
    this.log.info({ event: 'recording_started', file }, 'recording started')
  }

  private finishRecording(): void {
    const writer = this.writer
    if (!writer) return
    this.writer = undefined
    void writer.finish().then(() => {
      this.log.info({ event: 'recording_finished', file: this.file, bytes: writer.size },
        'recording finished')
    })
  }

  private guard(action: () => void): void {
    try {
      action()
    } catch (err) {
      this.writer = undefined
      this.log.warn({ err, event: 'recording_failed', code: RecordingCode.FAILED },
        'recording failed')
      // The writer is not to be trusted any more, but its file must not stay open.
      void this.sink?.close()
    }
  }
}
