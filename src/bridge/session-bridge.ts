import type { Logger } from 'pino'

import { RunningSession } from './running-session'
import { settlesWithin } from './wait'
import type { BridgeSettings } from './running-session'
import type { SessionChannel, SessionHandler, SessionRequest } from '../ssh/types'

/** Runs SSH sessions on a backend and keeps track of them for shutdown. */
export class SessionBridge {
  private readonly running = new Set<RunningSession>()
  private idle: Promise<void> = Promise.resolve()
  private markIdle?: () => void

  constructor(private settings: BridgeSettings) {}

  /** Sessions started from now on run with these settings; running ones keep theirs. */
  useSettings(settings: BridgeSettings): void {
    this.settings = settings
  }

  get activeCount(): number {
    return this.running.size
  }

  readonly handle: SessionHandler = (
    request: SessionRequest,
    channel: SessionChannel,
    log: Logger,
  ) => {
    const session = new RunningSession(request, channel, this.settings, log)
    if (this.running.size === 0) this.idle = new Promise((resolve) => (this.markIdle = resolve))
    this.running.add(session)

    session
      .run()
      .catch((err: unknown) => log.error({ err, event: 'session_crashed' }, 'session crashed'))
      .finally(() => this.forget(session))
  }

  /** Whether every session ended within ms. */
  waitForIdle(ms: number): Promise<boolean> {
    return settlesWithin(this.idle, ms)
  }

  async terminateAll(): Promise<void> {
    await Promise.allSettled([...this.running].map((session) => session.terminate()))
  }

  private forget(session: RunningSession): void {
    this.running.delete(session)
    if (this.running.size === 0) this.markIdle?.()
  }
}
