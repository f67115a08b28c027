import { figure } from './format'
import { summarize } from './stats'
import { ratioOf, targetText, verdict } from './targets'
import type { Target } from './targets'
import type { Row, Sample, Summary } from './types'

/** A table row comparing execgate's variant with one reference variant of the same case. */
export function compareRow(label: string, samples: Sample[], subject: string, reference: string,
  unit: string, target?: Target): Row {
  const mine = summarize(samples, subject)
  const theirs = summarize(samples, reference)
  const ratio = ratioOf(mine, theirs)
  return { case: label, execgate: figure(mine, unit), reference: `${reference}: ${figure(theirs,
    unit)}`, ratio, target: targetText(target), result: verdict(ratio, target) }
}

/** Summaries of every variant that has samples, in the order they first appear. */
export function summaries(samples: Sample[]): Summary[] {
  const names = [...new Set(samples.map((s) => s.variant))]
  return names.map((name) => summarize(samples, name))
}

/** A row for a case that could not be measured. */
export function unavailableRow(label: string, reason: string, target?: Target): Row {
  return { case: label, execgate: `unavailable: ${reason}`, reference: '-', ratio: undefined,
    target: targetText(target), result: 'n/a' }
}
