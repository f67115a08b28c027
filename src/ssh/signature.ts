import { verify } from 'node:crypto'

import { CURVES, stripZeros } from './public-key'
import { readStrings, WireError, WireReader } from './wire'
import type { VerifyKey } from './public-key'

/**
 * Signature algorithms we verify, with the key type each needs and its hash. `ssh-rsa` (RSA
 * with SHA-1) is missing on purpose: OpenSSH has refused it by default since 8.8.
 */
const ALGORITHMS: Record<string, { keyType: string; hash: string | null }> = {
  'ssh-ed25519': { keyType: 'ssh-ed25519', hash: null },
  'ecdsa-sha2-nistp256': { keyType: 'ecdsa-sha2-nistp256', hash: 'sha256' },
  'ecdsa-sha2-nistp384': { keyType: 'ecdsa-sha2-nistp384', hash: 'sha384' },
  'ecdsa-sha2-nistp521': { keyType: 'ecdsa-sha2-nistp521', hash: 'sha512' },
  'rsa-sha2-256': { keyType: 'ssh-rsa', hash: 'sha256' },
  'rsa-sha2-512': { keyType: 'ssh-rsa', hash: 'sha512' },
}

/** The reason given when a well-formed signature simply does not match. */
export const DOES_NOT_VERIFY = 'does not verify'

export type SignatureCheck = { ok: true; algorithm: string } | { ok: false; reason: string }

/**
 * Checks an SSH signature blob (`string algorithm, string signature`, RFC 4253 §6.6) over
 * DATA. EXPECTED, when given, is the only algorithm allowed, as the one the client announced.
 */
export function checkSignature(
  key: VerifyKey,
  data: Buffer,
  blob: Buffer,
  expected?: string,
): SignatureCheck {
  let algorithm: string
  let signature: Buffer
  try {
    const reader = new WireReader(blob)
    algorithm = reader.text()
    signature = reader.bytes()
    if (!reader.done) return { ok: false, reason: 'signature has trailing data' }
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: 'malformed signature' }
    throw err
  }

  const refusal = refuseAlgorithm(key, algorithm, expected)
  if (refusal) return { ok: false, reason: refusal }
  return verifies(key, algorithm, data, signature)
    ? { ok: true, algorithm }
    : { ok: false, reason: DOES_NOT_VERIFY }
}

function refuseAlgorithm(key: VerifyKey, algorithm: string, expected?: string) {
  if (algorithm === 'ssh-rsa') return 'algorithm "ssh-rsa" (SHA-1) is not accepted'
  const known = ALGORITHMS[algorithm]
  if (!known) return `algorithm "${algorithm}" is not supported`
  if (known.keyType !== key.type) return `algorithm "${algorithm}" does not fit a ${key.type} key`
  if (expected !== undefined && algorithm !== expected) {
    return `algorithm "${algorithm}" where "${expected}" was announced`
  }
  return undefined
}

function verifies(key: VerifyKey, algorithm: string, data: Buffer, signature: Buffer): boolean {
  const { hash } = ALGORITHMS[algorithm]
  const raw = toCryptoForm(key, signature)
  if (!raw) return false
  try {
    return verify(hash, data, { key: key.key, dsaEncoding: 'ieee-p1363' }, raw)
  } catch {
    return false
  }
}

/** Node wants ECDSA as fixed-width r || s and RSA padded to the modulus; SSH sends neither. */
function toCryptoForm(key: VerifyKey, signature: Buffer): Buffer | undefined {
  if (key.type.startsWith('ecdsa-sha2-')) return ecdsaToFixedWidth(key.type, signature)
  if (key.type === 'ssh-rsa') {
    const bytes = Math.ceil((key.key.asymmetricKeyDetails?.modulusLength ?? 0) / 8)
    return leftPad(signature, bytes)
  }
  return signature
}

/** RFC 5656 §3.1.2: the signature is `mpint r, mpint s` inside the string. */
function ecdsaToFixedWidth(type: string, signature: Buffer): Buffer | undefined {
  const curve = CURVES[type.slice('ecdsa-sha2-'.length)]
  try {
    const parts = readStrings(signature)
    if (parts.length !== 2) return undefined
    const [r, s] = parts.map((part) => leftPad(stripZeros(part), curve.bytes))
    return r && s ? Buffer.concat([r, s]) : undefined
  } catch {
    return undefined
  }
}

function leftPad(value: Buffer, length: number): Buffer | undefined {
  if (value.length > length) return undefined
  return Buffer.concat([Buffer.alloc(length - value.length), value])
}
