import type { PublicKeyAuthContext } from 'ssh2'

import {
  checkKind,
  checkPrincipals,
  checkValidity,
  readRestrictions,
} from './certificate-checks'
import { parseCertificate } from './certificate-format'
import { fingerprintOf } from './host-keys'
import { matchesAddressList } from './patterns'
import { printable } from './printable'
import { readPublicKey } from './public-key'
import { checkSignature, DOES_NOT_VERIFY } from './signature'
import type { AuthDecision } from './auth'
import type { Certificate } from './certificate-format'
import type { KeyRestrictions } from './key-options'
import type { TrustedCAKey } from './trusted-ca-keys'
import type { LoginTarget } from './types'

/**
 * The key algorithms a client may announce for a certificate: the certificate type the blob
 * must have, and the only signature algorithm its holder may then sign with (as sshd insists).
 * ssh-rsa-cert-v01@openssh.com is missing: announced as such, it means SHA-1 signatures.
 */
const ANNOUNCED: Record<string, { type: string; signature: string }> = {
  'ssh-ed25519-cert-v01@openssh.com': same('ssh-ed25519'),
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': same('ecdsa-sha2-nistp256'),
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': same('ecdsa-sha2-nistp384'),
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': same('ecdsa-sha2-nistp521'),
  'rsa-sha2-256-cert-v01@openssh.com': rsa('rsa-sha2-256'),
  'rsa-sha2-512-cert-v01@openssh.com': rsa('rsa-sha2-512'),
}

/**
 * Decides a publickey request that offers an OpenSSH user certificate, as sshd does with
 * TrustedUserCAKeys. A query without a signature is answered "acceptable" only when the
 * certificate would be accepted for this login from this address.
 *
 * ssh2 (1.17) passes a request with any key algorithm to the 'authentication' event without
 * looking at the blob, so certificates need no way around it. It unwraps the signature
 * (`string algorithm, string signature`) only when its algorithm equals the announced one; for
 * a certificate it never does (OpenSSH announces ssh-ed25519-cert-v01@openssh.com and signs
 * with ssh-ed25519), so checkSignature reads the wrapped form. A client that did name the
 * certificate type in its signature gets it unwrapped, and refused as malformed, as sshd would.
 * For RSA, ssh2's server-sig-algs lists rsa-sha2-256 but runs rsa-sha2-512 into the name before
 * it (a missing comma), so OpenSSH's client signs RSA certificates with rsa-sha2-256.
 */
export function decideCertificate(
  ctx: PublicKeyAuthContext,
  login: LoginTarget,
  clientAddress: string,
  trusted: TrustedCAKey[],
  nowMs = Date.now(),
): AuthDecision {
  const announced = ANNOUNCED[ctx.key.algo]
  if (!announced) return refuse(`key algorithm "${printable(ctx.key.algo)}" is not accepted`)
  const certificate = parseCertificate(ctx.key.data)
  if (certificate instanceof Error) return refuse(certificate.message)
  if (certificate.type !== announced.type) {
    return refuse(`certificate of type "${certificate.type}" announced as "${ctx.key.algo}"`)
  }

  const judged = judgeCertificate(certificate, login, clientAddress, trusted, nowMs)
  if (judged instanceof Error) return refuse(judged.message)
  if (!ctx.signature || !ctx.blob) return { action: 'key-ok' }

  const problem = checkHolderSignature(certificate, ctx.blob, ctx.signature, announced.signature)
  if (problem) return refuse(problem)
  return {
    action: 'accept',
    grant: {
      restrictions: judged,
      keyType: certificate.type,
      keyFingerprint: fingerprintOf(certificate.publicKey),
      source: 'certificate',
      certificateId: printable(certificate.keyId, 128),
    },
  }
}

/**
 * Everything but the holder's signature. The CA signature comes first: until it verifies,
 * nothing else in the certificate can be believed, not even to explain a refusal.
 */
function judgeCertificate(
  certificate: Certificate,
  login: LoginTarget,
  clientAddress: string,
  trusted: TrustedCAKey[],
  nowMs: number,
): KeyRestrictions | Error {
  const reason = checkAuthority(certificate, trusted)
    ?? checkKind(certificate)
    ?? checkValidity(certificate, BigInt(Math.floor(nowMs / 1000)))
    ?? checkPrincipals(certificate, login.raw)
  if (reason) return new Error(reason)

  const restrictions = readRestrictions(certificate)
  if (restrictions instanceof Error) return restrictions
  if (restrictions.from && !matchesAddressList(restrictions.from, clientAddress)) {
    return new Error(`address ${clientAddress} not allowed by source-address`)
  }
  return restrictions
}

function checkAuthority(certificate: Certificate, trusted: TrustedCAKey[]): string | undefined {
  const ca = trusted.find((candidate) => candidate.blob.equals(certificate.signatureKey))
  if (!ca) return `certificate signed by unknown CA ${fingerprintOf(certificate.signatureKey)}`

  const check = checkSignature(ca.key, certificate.signed, certificate.signature)
  return check.ok ? undefined : describeFailure('bad CA signature', check.reason)
}

/** The holder proves it has the certified key by signing the session with it. */
function checkHolderSignature(
  certificate: Certificate,
  signed: Buffer,
  signature: Buffer,
  algorithm: string,
): string | undefined {
  const key = readPublicKey(certificate.publicKey)
  if (key instanceof Error) return `certified key: ${key.message}`

  const check = checkSignature(key, signed, signature, algorithm)
  return check.ok ? undefined : describeFailure('bad signature', check.reason)
}

function describeFailure(label: string, reason: string): string {
  return reason === DOES_NOT_VERIFY ? label : `${label}: ${reason}`
}

function refuse(reason: string): AuthDecision {
  return { action: 'refuse', reason }
}

function same(algorithm: string) {
  return { type: `${algorithm}-cert-v01@openssh.com`, signature: algorithm }
}

function rsa(algorithm: string) {
  return { type: 'ssh-rsa-cert-v01@openssh.com', signature: algorithm }
}
