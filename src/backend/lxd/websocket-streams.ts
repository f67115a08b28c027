import { Readable, Writable } from 'node:stream'
import WebSocket from 'ws'

/** The largest chunk sent as one frame; bigger writes are split so no frame hogs the socket. */
const MAX_FRAME_BYTES = 1024 * 1024

/**
 * One exec output (stdout, stderr, or the terminal) as a Readable. Binary frames carry data; an
 * empty text frame is the daemon's end-of-stream barrier. The websocket is paused while the
 * reader is behind, so a slow SSH client slows the daemon instead of filling memory.
 */
export class OutputStream extends Readable {
  /** Whether the daemon ended the stream with its barrier, rather than dropping the socket. */
  sawBarrier = false
  readonly ended: Promise<void>
  private markEnded!: () => void
  private done = false

  constructor(private readonly socket: WebSocket) {
    super({ highWaterMark: 256 * 1024 })
    this.ended = new Promise((resolve) => (this.markEnded = resolve))
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary))
    socket.on('close', () => this.finish())
  }

  _read(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.resume()
  }

  /** Ends the stream at once, keeping what was already read; used when output is cut. */
  finish(): void {
    if (this.done) return
    this.done = true
    this.push(null)
    this.markEnded()
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.done) return
    if (!isBinary) {
      this.sawBarrier = true
      this.finish()
      return
    }
    if (!this.push(data)) this.socket.pause()
  }
}

/**
 * An exec's standard input as a Writable: every chunk goes out as a binary frame, because the
 * daemon reads any text frame as end of input. end() sends that text frame when the exec is
 * not interactive; on a terminal the daemon would stop reading input for good instead.
 */
export class InputStream extends Writable {
  constructor(
    private readonly socket: WebSocket,
    private readonly sendsEndOfInput: boolean,
  ) {
    super({ highWaterMark: 256 * 1024 })
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.send(chunk, callback)
  }

  _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    this.send(Buffer.concat(chunks.map((entry) => entry.chunk)), callback)
  }

  _final(callback: () => void): void {
    if (!this.sendsEndOfInput || this.socket.readyState !== WebSocket.OPEN) return callback()
    this.socket.send('', { binary: false }, () => callback())
  }

  /** Input for a process that is gone is dropped, as a pipe with no reader would. */
  private send(data: Buffer, callback: () => void): void {
    if (this.socket.readyState !== WebSocket.OPEN) return callback()

    for (let offset = MAX_FRAME_BYTES; offset < data.length; offset += MAX_FRAME_BYTES) {
      this.socket.send(data.subarray(offset - MAX_FRAME_BYTES, offset), { binary: true })
    }
    const last = data.subarray(Math.floor((data.length - 1) / MAX_FRAME_BYTES) * MAX_FRAME_BYTES)
    this.socket.send(last, { binary: true }, () => callback())
  }
}
