import { isIP } from 'node:net'

/** `*` and `?` globs, as OpenSSH's match_pattern; the whole text must match. */
export function matchesGlob(pattern: string, text: string): boolean {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[^\w]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, 's').test(text)
}

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
    if (!matchesAddress(pattern, bare)) continue
    if (negated) return false
    matched = true
  }
  return matched
}

function matchesAddress(pattern: string, address: string): boolean {
  return pattern.includes('/') ? inCidr(pattern, address) : matchesGlob(pattern, address)
}

function inCidr(block: string, address: string): boolean {
  const [network, lengthText] = block.split('/')
  const length = Number(lengthText)
  const family = isIP(network)
  if (family === 0 || family !== isIP(address) || !Number.isInteger(length)) return false

  const bits = family === 4 ? 32 : 128
  if (length < 0 || length > bits) return false
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
    text = text.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail = ''] = text.split('::')
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const zeros = text.includes('::') ? 8 - headGroups.length - tailGroups.length : 0
  return [...headGroups, ...Array(zeros).fill('0'), ...tailGroups].map((g) => parseInt(g, 16))
}
