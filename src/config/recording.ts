import { ErrorCode, GatewayError } from '../errors'

/** Session recording; off unless `dir` is set. */
export interface RecordingConfig {
  /** Where recordings are written, one folder per UTC day; absent means recording is off. */
  dir?: string
  /** Largest recording file; recording stops there, the session goes on. @default 104857600 */
  maxBytes: number
  /** Also record the output of sessions without a terminal (exec). @default false */
  execOutput: boolean
}

export const DEFAULT_RECORDING: RecordingConfig = {
  maxBytes: 100 * 1024 * 1024,
  execOutput: false,
}

const KNOWN_KEYS = ['dir', 'maxBytes', 'execOutput']

/** Below this a recording could not hold its own header and the marker that ends it. */
const MIN_MAX_BYTES = 4096

/** Validates the `recording` section; the field path of the first problem is in the error. */
export function parseRecording(raw: unknown = {}): RecordingConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid('recording', 'expected a mapping')
  }
  const section = raw as Record<string, unknown>
  const unknown = Object.keys(section).find((key) => !KNOWN_KEYS.includes(key))
  if (unknown !== undefined) throw invalid(`recording.${unknown}`, 'unknown key')

  return {
    dir: parseDir(section.dir),
    maxBytes: parseMaxBytes(section.maxBytes ?? DEFAULT_RECORDING.maxBytes),
    execOutput: parseBool(section.execOutput ?? DEFAULT_RECORDING.execOutput),
  }
}

function parseDir(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value === '') {
    throw invalid('recording.dir', 'expected a non-empty string')
  }
  return value
}

function parseMaxBytes(value: unknown): number {
  const whole = typeof value === 'number' && Number.isSafeInteger(value)
  if (!whole || (value as number) < MIN_MAX_BYTES) {
    const reason = `expected a whole number of bytes, ${MIN_MAX_BYTES} or more`
    throw invalid('recording.maxBytes', reason)
  }
  return value as number
}

function parseBool(value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid('recording.execOutput', 'expected true or false')
  return value
}

function invalid(path: string, reason: string): GatewayError {
  return new GatewayError(ErrorCode.CONFIG_INVALID, `${path}: ${reason}`, {
    userMessage: 'gateway configuration is invalid',
  })
}
