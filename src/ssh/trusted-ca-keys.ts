import { readFileSync } from 'node:fs'

import { ErrorCode, GatewayError } from '../errors'
import { fingerprintOf } from './host-keys'
import { readPublicKey } from './public-key'
import type { VerifyKey } from './public-key'

/** A CA key whose user certificates are accepted (sshd's TrustedUserCAKeys). */
export interface TrustedCAKey {
  /** The public key blob, compared byte for byte with a certificate's signature key. */
  blob: Buffer
  key: VerifyKey
  fingerprint: string
  line: number
}

export interface TrustedCAKeysFile {
  keys: TrustedCAKey[]
  /** Lines that were not used, with why; the caller logs them. */
  skipped: { line: number; reason: string }[]
}

export function readTrustedCAKeys(path: string): TrustedCAKeysFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new GatewayError(
      ErrorCode.TRUSTED_CA_KEYS_UNREADABLE,
      `cannot read trusted CA keys "${path}": ${(err as Error).message}`,
      { cause: err },
    )
  }
  return parseTrustedCAKeys(text)
}

/** Parses OpenSSH public key lines, `type base64 [comment]`; `#` starts a comment line. */
export function parseTrustedCAKeys(text: string): TrustedCAKeysFile {
  const result: TrustedCAKeysFile = { keys: [], skipped: [] }
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return

    const parsed = parseLine(line, index + 1)
    if ('reason' in parsed) result.skipped.push(parsed)
    else result.keys.push(parsed)
  })
  return result
}

function parseLine(line: string, number: number): TrustedCAKey | { line: number; reason: string } {
  const [type, data] = line.split(/\s+/)
  if (!data) return { line: number, reason: 'no key found' }
  // A certificate cannot sign certificates; OpenSSH refuses such a chain too.
  if (type.includes('-cert-')) return { line: number, reason: 'a certificate is no CA key' }

  const blob = Buffer.from(data, 'base64')
  const key = readPublicKey(blob)
  if (key instanceof Error) return { line: number, reason: key.message }
  if (key.type !== type) {
    return { line: number, reason: `line says "${type}" but the key is "${key.type}"` }
  }
  return { blob, key, fingerprint: fingerprintOf(blob), line: number }
}
