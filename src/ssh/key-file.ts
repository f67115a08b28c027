import { readFileSync } from 'node:fs'

import { GatewayError } from '../errors'
import type { ErrorCode } from '../errors'

/** A line of a key file that was not used, and why; the caller logs it. */
export interface SkippedLine {
  line: number
  reason: string
}

/** What a key file held: the keys that parsed, and the lines that did not. */
export interface KeyFile<T> {
  keys: T[]
  skipped: SkippedLine[]
}

/** Reads a key file as text; a file that cannot be read is an error with `code`. */
export function readKeyFileText(
  path: string,
  code: ErrorCode,
  what: string,
): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new GatewayError(code, `cannot read ${what} "${path}": ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/** Parses each line that is neither blank nor a `#` comment, numbering lines from 1. */
export function parseKeyLines<T>(
  text: string,
  parseLine: (line: string, number: number) => T | SkippedLine,
): KeyFile<T> {
  const result: KeyFile<T> = { keys: [], skipped: [] }
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return

    const parsed = parseLine(line, index + 1)
    if (isSkipped(parsed)) result.skipped.push(parsed)
    else result.keys.push(parsed)
  })
  return result
}

function isSkipped<T>(parsed: T | SkippedLine): parsed is SkippedLine {
  return typeof parsed === 'object' && parsed !== null && 'reason' in parsed
}
