import { ErrorCode, GatewayError } from '../errors'
import type { ListenAddress } from './schema'

/** The metrics endpoint: off unless a listen address is given. */
export interface MetricsConfig {
  /**
   * Where GET /metrics and GET /healthz are served, `HOST:PORT`; absent means no metrics
   * server at all. Keep it off the SSH address's network where scrapers are not wanted.
   */
  listen?: ListenAddress
  /** How often each backend's daemon is asked GET /1.0, for /healthz. @default 10000 */
  probeIntervalMs: number
}

export const METRICS_KEYS = ['listen', 'probeIntervalMs']

export const DEFAULT_METRICS_CONFIG: MetricsConfig = { probeIntervalMs: 10_000 }

/** Under 100 ms the probes would be load on the daemon rather than a check of it. */
const MIN_PROBE_INTERVAL_MS = 100
const MAX_PROBE_INTERVAL_MS = 3_600_000

/**
 * Validates the `metrics` mapping, whose unknown keys the caller has already refused. The
 * address parser is passed in so that both listen addresses follow one grammar.
 */
export function parseMetricsConfig(
  raw: Record<string, unknown>,
  parseListen: (value: unknown, path: string) => ListenAddress,
): MetricsConfig {
  const listen = raw.listen === undefined || raw.listen === null
    ? undefined
    : parseListen(raw.listen, 'metrics.listen')
  const probeIntervalMs = probeInterval(
    raw.probeIntervalMs ?? DEFAULT_METRICS_CONFIG.probeIntervalMs)
  // No listen key at all when off, so that the result equals the defaults.
  return listen ? { listen, probeIntervalMs } : { probeIntervalMs }
}

function probeInterval(value: unknown): number {
  const valid = typeof value === 'number' && Number.isInteger(value)
    && value >= MIN_PROBE_INTERVAL_MS && value <= MAX_PROBE_INTERVAL_MS
  if (valid) return value

  const range = `${MIN_PROBE_INTERVAL_MS} to ${MAX_PROBE_INTERVAL_MS}`
  throw new GatewayError(
    ErrorCode.CONFIG_INVALID,
    `metrics.probeIntervalMs: expected a whole number of milliseconds from ${range}`,
    { userMessage: 'gateway configuration is invalid' },
  )
}
