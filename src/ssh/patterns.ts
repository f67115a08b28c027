import { isIP } from 'node:net'

import { matchesGlob } from '../util/glob'

/**
 * OpenSSH's address pattern lists (from=, source-address): comma-separated globs or CIDR
 * blocks, any of them negated with `!`. A negated match refuses whatever else matches; without
 * one, at least one pattern must match.
 */
export function matchesAddressList(patterns: string[], address: string): boolean {
  const bare = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')
  let matched = false
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    const pattern = negated ? raw.slice(1) : raw
    const match = matchesAddress(pattern, bare)
    // A block that cannot be read refuses the client, as in sshd: skipping it would turn a
    // mistyped `!10.0.0.0/33` into no exclusion at all.
    if (match === undefined) return false
    if (!match) continue
    if (negated) return false
    matched = true
  }
  return matched
}

/** Whether the address matches; undefined for a CIDR block that cannot be read. */
function matchesAddress(pattern: string, address: string): boolean | undefined {
  return pattern.includes('/') ? inCidr(pattern, address) : matchesGlob(pattern, address)
}

function inCidr(block: string, address: string): boolean | undefined {
  // Number() would read an empty length as 0, a block that holds every address.
  const parts = /^([^/]+)\/(\d{1,3})$/.exec(block)
  if (!parts) return undefined
  const [, network, lengthText] = parts
  const length = Number(lengthText)
  const family = isIP(network)
  const bits = family === 4 ? 32 : 128
  if (family === 0 || length > bits) return undefined
  if (family !== isIP(address)) return false

  const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(bits - length)
  return (toBigInt(network, family) & mask) === (toBigInt(address, family) & mask)
}

function toBigInt(address: string, family: number): bigint {
  if (family === 4) {
    return address.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n)
  }
  return expandIPv6(address).reduce((value, group) => (value << 16n) | BigInt(group), 0n)
}

/** The eight 16-bit groups of an IPv6 address, `::` and a trailing dotted quad expanded. */
function expandIPv6(address: string): number[] {
  let text = address
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number)
    const hextets = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
    text = text.slice(0, quad.index) + hextets
  }
  const [head, tail = ''] = text.split('::')
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const zeros = text.includes('::') ? 8 - headGroups.length - tailGroups.length : 0
  return [...headGroups, ...Array(zeros).fill('0'), ...tailGroups].map((g) => parseInt(g, 16))
}
