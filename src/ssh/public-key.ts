import { createPublicKey } from 'node:crypto'
import type { JsonWebKey, KeyObject } from 'node:crypto'

import { WireReader } from './wire'

/** A plain public key from its SSH blob, ready for node:crypto. */
export interface VerifyKey {
  /** The SSH key type: ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa. */
  type: string
  key: KeyObject
}

/** The NIST curves by SSH name, with their JWK name and coordinate width in bytes. */
export const CURVES: Record<string, { jwk: string; bytes: number }> = {
  nistp256: { jwk: 'P-256', bytes: 32 },
  nistp384: { jwk: 'P-384', bytes: 48 },
  nistp521: { jwk: 'P-521', bytes: 66 },
}

/** OpenSSH refuses RSA keys below this many bits, and so do we. */
const RSA_MIN_BITS = 1024

/** Turns a public key blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) into a key object. */
export function readPublicKey(blob: Buffer): VerifyKey | Error {
  try {
    const reader = new WireReader(blob)
    const type = reader.text()
    const jwk = toJwk(type, reader)
    if (jwk instanceof Error) return jwk
    if (!reader.done) return new Error(`${type} key has trailing data`)
    return { type, key: createPublicKey({ key: jwk, format: 'jwk' }) }
  } catch (err) {
    return new Error(`unreadable public key: ${(err as Error).message}`)
  }
}

function toJwk(type: string, reader: WireReader): JsonWebKey | Error {
  if (type === 'ssh-ed25519') return { kty: 'OKP', crv: 'Ed25519', x: base64url(reader.bytes()) }
  if (type === 'ssh-rsa') return rsaJwk(reader)
  if (type.startsWith('ecdsa-sha2-')) return ecdsaJwk(type, reader)
  return new Error(`key type "${type}" is not supported`)
}

function rsaJwk(reader: WireReader): JsonWebKey | Error {
  const exponent = stripZeros(reader.bytes())
  const modulus = stripZeros(reader.bytes())
  if (modulus.length * 8 < RSA_MIN_BITS) return new Error('RSA key shorter than 1024 bits')
  return { kty: 'RSA', e: base64url(exponent), n: base64url(modulus) }
}

function ecdsaJwk(type: string, reader: WireReader): JsonWebKey | Error {
  const curveName = reader.text()
  const curve = CURVES[curveName]
  if (!curve || type !== `ecdsa-sha2-${curveName}`) {
    return new Error(`key type "${type}" does not fit curve "${curveName}"`)
  }

  // Only the uncompressed form (0x04 || X || Y) is allowed on the wire (RFC 5656 §3.1).
  const point = reader.bytes()
  if (point.length !== 1 + 2 * curve.bytes || point[0] !== 4) {
    return new Error(`malformed ${curveName} point`)
  }
  const x = point.subarray(1, 1 + curve.bytes)
  const y = point.subarray(1 + curve.bytes)
  return { kty: 'EC', crv: curve.jwk, x: base64url(x), y: base64url(y) }
}

/** An mpint's magnitude without the sign byte or other leading zeros. */
export function stripZeros(value: Buffer): Buffer {
  let start = 0
  while (start < value.length - 1 && value[start] === 0) start += 1
  return value.subarray(start)
}

function base64url(value: Buffer): string {
  return value.toString('base64url')
}
