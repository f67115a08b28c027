import type { Logger } from 'pino'

import { LineFile } from './line-file'
import { RecordingTap } from './recording-tap'
import type { RecordingConfig } from '../config/recording'
import type { TapSettings } from './recording-tap'
import type { RecordedSession, SessionRecorder, SessionTap } from './types'

/** The gateway's recorder, or undefined when recording is off (no `recording.dir`). */
export function createRecorder(config: RecordingConfig): FileRecorder | undefined {
  if (config.dir === undefined) return undefined
  return new FileRecorder(config.dir, config.maxBytes, config.execOutput)
}

/** Records each session into its own file under the configured folder. */
export class FileRecorder implements SessionRecorder {
  private readonly settings: TapSettings
  private readonly openFiles = new Set<LineFile>()

  constructor(dir: string, maxBytes: number, execOutput: boolean) {
    this.settings = {
      dir,
      maxBytes,
      execOutput,
      date: () => new Date(),
      now: () => performance.now(),
      openSink: (path, log) => this.openFile(path, log),
    }
  }

  begin(session: RecordedSession, log: Logger): SessionTap {
    return new RecordingTap(session, this.settings, log)
  }

  /** Resolves when every file still open is closed; the gateway waits for it before exiting. */
  async flushed(): Promise<void> {
    await Promise.all([...this.openFiles].map((file) => file.whenClosed))
  }

  private openFile(path: string, log: Logger): LineFile {
    const file = new LineFile(path, log)
    this.openFiles.add(file)
    void file.whenClosed.then(() => this.openFiles.delete(file))
    return file
  }
}
