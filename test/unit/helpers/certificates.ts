import { execFileSync } from 'node:child_process'
import { sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AuthContext, PublicKeyAuthContext } from 'ssh2'

import type { GeneratedKey } from './keygen'

/** How ssh-keygen -s is to sign a key. */
export interface CertificateRequest {
  id?: string
  /** -n; none means a certificate without principals. */
  principals?: string[]
  /** -V, e.g. `-5m:+1h`; ssh-keygen's default (forever) when absent. */
  validity?: string
  /** -O options: `force-command=...`, `no-pty`, `critical:name=value`, ... */
  options?: string[]
  /** -h: a host certificate. */
  host?: boolean
  /** -t: the CA's signature algorithm, e.g. ssh-rsa or rsa-sha2-256. */
  caAlgorithm?: string
}

/** A certificate made by ssh-keygen: its file and its blob. */
export interface MadeCertificate {
  path: string
  type: string
  blob: Buffer
}

/** Signs `key`'s public key with `ca` by running `ssh-keygen -s`. */
export function makeCertificate(
  ca: GeneratedKey,
  key: GeneratedKey,
  request: CertificateRequest = {},
): MadeCertificate {
  const args = ['-q', '-s', ca.path, '-I', request.id ?? 'unit-cert']
  if (request.principals) args.push('-n', request.principals.join(','))
  if (request.validity) args.push('-V', request.validity)
  if (request.host) args.push('-h')
  if (request.caAlgorithm) args.push('-t', request.caAlgorithm)
  for (const option of request.options ?? []) args.push('-O', option)
  execFileSync('ssh-keygen', [...args, `${key.path}.pub`])

  const path = `${key.path}-cert.pub`
  const [type, base64] = readFileSync(path, 'utf8').trim().split(' ')
  return { path, type, blob: Buffer.from(base64, 'base64') }
}

/** The blob with one byte of `marker` (found in the signed part) changed. */
export function flipByteIn(blob: Buffer, marker: string): Buffer {
  const index = blob.indexOf(Buffer.from(marker))
  if (index === -1) throw new Error(`"${marker}" is not in the certificate`)
  const forged = Buffer.from(blob)
  forged[index] ^= 0x01
  return forged
}

/**
 * An SSH signature blob (`string algorithm, string signature`) over DATA, made as OpenSSH's
 * client makes it: ECDSA as two mpints, RSA with the algorithm's hash.
 */
export function sshSignature(key: GeneratedKey, data: Buffer, algorithm: string): Buffer {
  const pem = key.privateKey.getPrivatePEM()
  const raw = algorithm.startsWith('ecdsa-sha2-')
    ? ecdsaSignature(algorithm, data, pem)
    : sign(HASHES[algorithm], data, pem)
  return Buffer.concat([sshString(algorithm), sshString(raw)])
}

const HASHES: Record<string, string | null> = {
  'ssh-ed25519': null,
  'rsa-sha2-256': 'sha256',
  'rsa-sha2-512': 'sha512',
  'ssh-rsa': 'sha1',
}

function ecdsaSignature(algorithm: string, data: Buffer, pem: string): Buffer {
  const hash = { nistp256: 'sha256', nistp384: 'sha384', nistp521: 'sha512' }[
    algorithm.slice('ecdsa-sha2-'.length)] as string
  const fixed = sign(hash, data, { key: pem, dsaEncoding: 'ieee-p1363' })
  const half = fixed.length / 2
  return Buffer.concat([mpint(fixed.subarray(0, half)), mpint(fixed.subarray(half))])
}

function mpint(magnitude: Buffer): Buffer {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1
  const trimmed = magnitude.subarray(start)
  return sshString(trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed)
}

export function sshString(value: Buffer | string): Buffer {
  const bytes = Buffer.from(value)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/** What ssh2 hands over for a publickey request that offers a certificate. */
export function certificateContext(
  username: string,
  algorithm: string,
  blob: Buffer,
  signed?: { data: Buffer; signature: Buffer },
): PublicKeyAuthContext {
  return {
    method: 'publickey',
    username,
    service: 'ssh-connection',
    key: { algo: algorithm, data: blob },
    signature: signed?.signature,
    blob: signed?.data,
    hashAlgo: undefined,
  } as unknown as AuthContext as PublicKeyAuthContext
}
