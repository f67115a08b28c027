import type { Row, Summary } from './types'

/** A pass line for a ratio: `<= 0.4` or `>= 0.95`. */
export interface Target {
  op: '<=' | '>='
  value: number
}

export const TARGETS = {
  roundTrip: { op: '<=', value: 0.4 },
  transfer: { op: '>=', value: 0.95 },
  sftp: { op: '>=', value: 0.8 },
  rate: { op: '>=', value: 0.8 },
} satisfies Record<string, Target>

/** Idle-session memory limit of the concurrency case, in KiB per session. */
export const SESSION_KIB_LIMIT = 150

/** execgate's median over the reference's; undefined when either is missing. */
export function ratioOf(subject: Summary, reference: Summary): number | undefined {
  if (subject.median === undefined || reference.median === undefined) return undefined
  return reference.median === 0 ? undefined : subject.median / reference.median
}

/** PASS or MISS for a ratio against a target, n/a without a ratio, - without a target. */
export function verdict(ratio: number | undefined, target?: Target): Row['result'] {
  if (!target) return '-'
  if (ratio === undefined) return 'n/a'
  const pass = target.op === '<=' ? ratio <= target.value : ratio >= target.value
  return pass ? 'PASS' : 'MISS'
}

export function targetText(target?: Target): string {
  return target ? `${target.op} ${target.value}` : '-'
}
