import { shortError } from './format'
import type { Measurement, Sample } from './types'

/** One path of a case: a name and how to take one sample of it. */
export interface Variant {
  name: string
  run: (round: number) => Promise<Measurement>
}

/** How progress lines show a sample. */
export type Show = (sample: Sample) => string

/**
 * Runs the variants A, B, C, A, B, C... for `rounds` rounds (`repeat` times each per round), so
 * that drift in the machine's load hits every path alike. A variant that throws is a failed
 * sample, never the end of the case.
 */
export async function interleave(label: string, rounds: number, variants: Variant[],
  show: Show, repeat = 1): Promise<Sample[]> {
  const samples: Sample[] = []
  for (let round = 1; round <= rounds; round++) {
    const line: string[] = []
    for (let i = 0; i < repeat; i++) {
      for (const variant of variants) {
        const sample = await take(variant, round)
        samples.push(sample)
        if (repeat === 1) line.push(`${variant.name} ${show(sample)}`)
      }
    }
    if (repeat > 1) {
      line.push(...variants.map((v) => `${v.name} ${roundSummary(samples, v, round)}`))
    }
    process.stdout.write(`  ${label} round ${round}/${rounds}: ${line.join(', ')}\n`)
  }
  return samples
}

async function take(variant: Variant, round: number): Promise<Sample> {
  try {
    return { ...await variant.run(round), variant: variant.name, round }
  } catch (err) {
    return { variant: variant.name, round, ok: false, error: shortError(String(err)) }
  }
}

function roundSummary(samples: Sample[], variant: Variant, round: number): string {
  const mine = samples.filter((s) => s.variant === variant.name && s.round === round)
  const good = mine.filter((s) => s.ok).map((s) => s.value!)
  if (good.length === 0) return `failed (${mine[0]?.error ?? 'no sample'})`
  return `${Math.min(...good).toFixed(0)}-${Math.max(...good).toFixed(0)}`
}

/** Shows a failed sample's error, or its value with a unit. */
export function showValue(unit: string): Show {
  return (s) => (s.ok ? `${Number(s.value).toFixed(1)} ${unit}` : `FAILED: ${s.error ?? '?'}`)
}
