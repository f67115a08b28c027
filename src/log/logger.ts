import pino from 'pino'
import type { Logger } from 'pino'

export type { Logger }

/**
 * Paths that must never reach a log line, whatever a caller passes by mistake: key material,
 * websocket secrets and environment values.
 */
const REDACTED_PATHS = [
  'privateKey',
  '*.privateKey',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'env',
  '*.env',
  'environment',
  '*.environment',
]

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'execgate' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  return destination ? pino(options, destination) : pino(options)
}
