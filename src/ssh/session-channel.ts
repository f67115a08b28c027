import { EventEmitter } from 'node:events'
import type { Readable, Writable } from 'node:stream'
import type { ServerChannel } from 'ssh2'

import type { SessionChannel, SessionOutcome } from './types'

/** An ssh2 channel behind the SessionChannel contract the bridge uses. */
export class SshSessionChannel extends EventEmitter implements SessionChannel {
  private open = true
  private finishing = false

  constructor(private readonly channel: ServerChannel) {
    super()
    channel.once('close', () => this.onClose())
    // A write after the client vanished fails here; the 'close' that follows ends the session.
    channel.on('error', () => undefined)
    channel.stderr.on('error', () => undefined)
  }

  get input(): Readable {
    return this.channel
  }

  get output(): Writable {
    return this.channel
  }

  get errorOutput(): Writable {
    return this.channel.stderr
  }

  get isOpen(): boolean {
    return this.open
  }

  /**
   * Waits until every queued byte was handed to the client's window, then sends the outcome,
   * EOF and CLOSE, so the wire order is data, exit-status, EOF, CLOSE (RFC 4254 §6.10).
   */
  async finish(outcome: SessionOutcome): Promise<void> {
    if (!this.open || this.finishing) return
    this.finishing = true

    await this.flushed(this.channel)
    await this.flushed(this.channel.stderr)
    if (!this.open) return

    if ('status' in outcome) this.channel.exit(outcome.status)
    else this.channel.exit(outcome.signal, outcome.coreDumped, '')
    this.channel.end()
  }

  private flushed(stream: Writable): Promise<void> {
    if (stream.writableLength === 0 || !this.open) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', check)
        this.off('close', done)
        resolve()
      }
      const check = () => {
        if (stream.writableLength === 0) done()
      }
      stream.on('drain', check)
      this.once('close', done)
    })
  }

  private onClose(): void {
    this.open = false
    this.emit('close')
  }
}
