import { StringDecoder } from 'node:string_decoder'

import { eventLine, headerLine, resizeData } from './asciicast'
import { MAX_BACKLOG_BYTES, RecordingCode } from './line-file'
import type { AsciicastHeader, EventCode } from './asciicast'
import type { TerminalDimensions } from './types'

/** Where a CastWriter's lines go; LineFile in the gateway, an array in tests. */
export interface LineSink {
  readonly isOpen: boolean
  readonly backlog: number
  write(line: string): void
  abandon(code: string, detail: Record<string, unknown>): void
  close(): Promise<void>
}

/** Room kept below the cap for the marker that says the recording was cut. */
const MARKER_RESERVE_BYTES = 256

export const CAP_MARKER = 'execgate: recording stopped, size limit reached'
export const BEHIND_MARKER = 'execgate: recording stopped, disk too slow'

/**
 * Turns a session's output and resizes into asciicast v2 lines, with times relative to the
 * start. Output is decoded as UTF-8 with a StringDecoder, so a character split across two
 * chunks is written whole in the second event rather than as two replacement characters.
 */
export class CastWriter {
  private readonly decoder = new StringDecoder('utf8')
  private readonly startedAt: number
  private bytes = 0

  constructor(
    private readonly sink: LineSink,
    header: AsciicastHeader,
    private readonly maxBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now()
    this.append(headerLine(header))
  }

  /** Bytes of the file so far. */
  get size(): number {
    return this.bytes
  }

  get isRecording(): boolean {
    return this.sink.isOpen
  }

  output(chunk: Buffer): void {
    if (!this.sink.isOpen) return
    const text = this.decoder.write(chunk)
    if (text !== '') this.event('o', text)
  }

  resize(size: TerminalDimensions): void {
    this.event('r', resizeData(size.cols, size.rows))
  }

  /** Writes what the decoder still holds (an incomplete character) and closes the file. */
  finish(): Promise<void> {
    const rest = this.decoder.end()
    if (rest !== '') this.event('o', rest)
    return this.sink.close()
  }

  private event(code: EventCode, data: string): void {
    if (!this.sink.isOpen) return
    const elapsedMs = this.now() - this.startedAt
    const line = eventLine(elapsedMs, code, data)
    const room = this.maxBytes - MARKER_RESERVE_BYTES - this.bytes
    if (Buffer.byteLength(line) > room) {
      // What fits of the last output still goes in, so the file holds everything up to the cap.
      const head = code === 'o' ? fittingPrefix(elapsedMs, data, room) : ''
      if (head !== '') this.append(eventLine(elapsedMs, 'o', head))
      this.stop(RecordingCode.CAP_REACHED, CAP_MARKER, { maxBytes: this.maxBytes })
    } else if (this.sink.backlog > MAX_BACKLOG_BYTES) {
      this.stop(RecordingCode.BEHIND, BEHIND_MARKER, { backlogBytes: this.sink.backlog })
    } else {
      this.append(line)
    }
  }

  /** Ends the recording with a marker event, so a player shows where and why it was cut. */
  private stop(code: string, marker: string, detail: Record<string, unknown>): void {
    this.append(eventLine(this.now() - this.startedAt, 'm', marker))
    this.sink.abandon(code, { ...detail, bytes: this.bytes })
  }

  private append(line: string): void {
    this.bytes += Buffer.byteLength(line)
    this.sink.write(line)
  }
}

/**
 * The longest start of `data` whose event line takes at most `room` bytes. JSON escapes make
 * the length of a line hard to predict, so it is found by halving; a cut never splits a
 * surrogate pair.
 */
function fittingPrefix(elapsedMs: number, data: string, room: number): string {
  const fits = (n: number) => Buffer.byteLength(eventLine(elapsedMs, 'o', data.slice(0, n))) <= room
  let [low, high] = [0, data.length]
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(mid)) low = mid
    else high = mid - 1
  }
  const code = data.charCodeAt(low - 1)
  const splitsPair = low > 0 && code >= 0xd800 && code <= 0xdbff
  return data.slice(0, splitsPair ? low - 1 : low)
}
