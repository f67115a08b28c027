import { ErrorCode } from '../errors'
import { fingerprintOf } from './host-keys'
import { parseKeyLines, readKeyFileText } from './key-file'
import { readPublicKey } from './public-key'
import type { KeyFile, SkippedLine } from './key-file'
import type { VerifyKey } from './public-key'

/** A CA key whose user certificates are accepted (sshd's TrustedUserCAKeys). */
export interface TrustedCAKey {
  /** The public key blob, compared byte for byte with a certificate's signature key. */
  blob: Buffer
  key: VerifyKey
  fingerprint: string
  line: number
}

export type TrustedCAKeysFile = KeyFile<TrustedCAKey>

export function readTrustedCAKeys(path: string): TrustedCAKeysFile {
  const text = readKeyFileText(path, ErrorCode.TRUSTED_CA_KEYS_UNREADABLE, 'trusted CA keys')
  return parseTrustedCAKeys(text)
}

/** Parses OpenSSH public key lines, `type base64 [comment]`; `#` starts a comment line. */
export function parseTrustedCAKeys(text: string): TrustedCAKeysFile {
  return parseKeyLines(text, parseLine)
}

function parseLine(line: string, number: number): TrustedCAKey | SkippedLine {
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
