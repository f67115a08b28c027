import type { Sample, Summary } from './types'

/** The value at quantile q (0..1) of sorted numbers, by nearest rank. */
export function quantile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

/** The median, interpolated between the middle two for an even count. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length / 2
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)]
}

/** Median, min and max of one variant's good samples, and how many failed. */
export function summarize(samples: Sample[], variant: string): Summary {
  const mine = samples.filter((s) => s.variant === variant)
  const values = mine.filter((s) => s.ok && s.value !== undefined).map((s) => s.value!)
  return {
    variant,
    median: median(values),
    min: values.length ? Math.min(...values) : undefined,
    max: values.length ? Math.max(...values) : undefined,
    ok: values.length,
    failed: mine.length - values.length,
  }
}

/** The median of one numeric field over a variant's good samples. */
export function medianOf(samples: Sample[], variant: string, pick: (s: Sample) => unknown) {
  const values = samples.filter((s) => s.variant === variant && s.ok).map(pick)
    .filter((v): v is number => typeof v === 'number')
  return median(values)
}
