import type { Summary } from './types'

/** A figure with about three significant digits: 1234, 123, 12.3, 1.23. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '?'
  const abs = Math.abs(value)
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** `123 MiB/s (110-130)`, or why there is no figure. */
export function figure(summary: Summary, unit: string): string {
  if (summary.median === undefined) return `no good sample (${summary.failed} failed)`
  const spread = summary.ok > 1 ? ` (${num(summary.min)}-${num(summary.max)})` : ''
  const failed = summary.failed > 0 ? ` [${summary.failed} failed]` : ''
  return `${num(summary.median)} ${unit}${spread}${failed}`
}

/** The first line of an error text, trimmed to fit a table cell or a log line. */
export function shortError(text: string, width = 160): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? 'no message'
  return line.length > width ? `${line.slice(0, width - 3)}...` : line
}
