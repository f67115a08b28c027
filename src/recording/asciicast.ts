/**
 * The asciicast v2 format: a JSON header line, then one JSON array per event,
 * `[seconds, code, data]`. https://docs.asciinema.org/manual/asciicast/v2/
 */

/** The header; asciinema ignores keys it does not know, so ours ride along. */
export interface AsciicastHeader {
  version: 2
  width: number
  height: number
  /** Start of the recording, unix seconds. */
  timestamp: number
  command?: string
  title?: string
  env: { TERM?: string; SHELL?: string }
  [custom: string]: unknown
}

/** `o` output, `i` input, `r` resize (`COLSxROWS`), `m` marker. */
export type EventCode = 'o' | 'i' | 'r' | 'm'

export function headerLine(header: AsciicastHeader): string {
  return `${JSON.stringify(header)}\n`
}

/** Seconds keep microseconds, as asciinema itself writes them. */
export function eventLine(elapsedMs: number, code: EventCode, data: string): string {
  const seconds = Math.round(elapsedMs * 1000) / 1_000_000
  return `${JSON.stringify([seconds, code, data])}\n`
}

export function resizeData(cols: number, rows: number): string {
  return `${cols}x${rows}`
}
