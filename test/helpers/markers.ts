import { randomInt } from 'node:crypto'

/** A `sleep` command line no other test or run uses, to find its process in a container. */
export function uniqueSleep(): string {
  return `sleep ${randomInt(100000, 999999)}`
}

/** A word no other test or run uses. */
export function uniqueWord(prefix: string): string {
  return `${prefix}-${randomInt(100000, 999999)}`
}
