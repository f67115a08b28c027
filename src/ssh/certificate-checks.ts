/**
 * The checks on a certificate whose CA signature is already known to be good: each says why
 * the certificate is refused, or returns undefined (or its restrictions) when it passes.
 */
import { isIP } from 'node:net'

import { FOREVER, optionValue } from './certificate-format'
import { matchesGlob } from '../util/glob'
import { printable } from './printable'
import type { Certificate } from './certificate-format'
import type { KeyRestrictions } from './key-options'

/** A host certificate proves a host, not a user; sshd refuses it for user authentication. */
export function checkKind(certificate: Certificate): string | undefined {
  if (certificate.kind === 'user') return undefined
  return `${certificate.kind} certificate offered for user authentication`
}

/** valid_after <= now < valid_before, in seconds, as sshd compares them. */
export function checkValidity(certificate: Certificate, nowSeconds: bigint): string | undefined {
  const { validAfter, validBefore } = certificate
  if (nowSeconds < validAfter) return `certificate not yet valid (from ${describeTime(validAfter)})`
  if (nowSeconds >= validBefore) return `certificate expired (at ${describeTime(validBefore)})`
  return undefined
}

/**
 * A principal must match the login name exactly as the client sent it (`alice@web1`, `web1`,
 * `alice@web1.team`). Unlike OpenSSH, a principal may be a `*`/`?` glob (`*@web-*`); that is
 * execgate's extension, and `*` matches dots too, so `deploy@*` reaches every project.
 * A certificate without principals is refused, as sshd refuses it under TrustedUserCAKeys.
 */
export function checkPrincipals(certificate: Certificate, login: string): string | undefined {
  if (certificate.principals.length === 0) return 'certificate has no principals'
  if (certificate.principals.some((principal) => matchesGlob(principal, login))) return undefined
  return `no certificate principal matches login "${printable(login)}"`
}

/**
 * What the certificate lets its holder do. Critical options must all be understood, so any
 * option but force-command and source-address refuses the certificate, as in sshd. Of the
 * extensions only permit-pty matters here: execgate offers no forwarding and no ~/.ssh/rc.
 */
export function readRestrictions(certificate: Certificate): KeyRestrictions | Error {
  const restrictions: KeyRestrictions = { permitPty: certificate.extensions.has('permit-pty') }
  for (const [name, data] of certificate.criticalOptions) {
    const error = applyCriticalOption(restrictions, name, data)
    if (error) return error
  }
  return restrictions
}

function applyCriticalOption(restrictions: KeyRestrictions, name: string, data: Buffer) {
  if (name !== 'force-command' && name !== 'source-address') {
    return new Error(`unsupported critical option "${printable(name)}"`)
  }
  const value = optionValue(data)
  if (value instanceof Error) return new Error(`critical option "${name}": ${value.message}`)

  if (name === 'force-command') {
    restrictions.command = value
    return undefined
  }
  const blocks = value.split(',').map((block) => block.trim())
  const bad = blocks.find((block) => !isAddressBlock(block))
  if (bad !== undefined) return new Error(`source-address "${printable(bad)}" is no address`)
  restrictions.from = blocks
  return undefined
}

/**
 * sshd reads source-address as addresses and CIDR blocks only; the globs and `!` that from=
 * allows would be a misreading here, so they refuse the certificate.
 */
function isAddressBlock(block: string): boolean {
  const [address, length, extra] = block.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return false
  if (length === undefined) return true
  return /^\d+$/.test(length) && Number(length) <= (family === 4 ? 32 : 128)
}

function describeTime(seconds: bigint): string {
  if (seconds === FOREVER) return 'forever'
  const ms = Number(seconds) * 1000
  return ms <= 8.64e15 ? new Date(ms).toISOString() : `${seconds}s after the epoch`
}
