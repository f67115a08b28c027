import { Writable } from 'node:stream'
import pino from 'pino'
import type { Logger } from 'pino'

/** A pino logger whose lines are kept, parsed, for assertions. */
export function collectingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      callback()
    },
  })
  return { log: pino({ level: 'debug' }, sink), lines }
}

/** The lines' events, in order. */
export function eventsOf(lines: Record<string, unknown>[]): unknown[] {
  return lines.map((line) => line.event)
}
