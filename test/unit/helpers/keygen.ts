import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utils } from 'ssh2'
import type { ParsedKey } from 'ssh2'

/** A key pair made by ssh-keygen, with what ssh-keygen itself says about it. */
export interface GeneratedKey {
  /** The private key file, OpenSSH format, no passphrase. */
  path: string
  /** `type base64 comment`, as in the .pub file, without the newline. */
  publicLine: string
  type: string
  base64: string
  /** The SHA256:... fingerprint `ssh-keygen -lf` prints. */
  fingerprint: string
  /** The key size `ssh-keygen -lf` prints. */
  bits: number
  /** The type label `ssh-keygen -lf` prints, e.g. ED25519. */
  label: string
  /** The private key, parsed by ssh2, for signing. */
  privateKey: ParsedKey
}

export function makeTempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `execgate-unit-${name}-`))
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true })
}

/** Runs `ssh-keygen -t TYPE -N '' -f DIR/NAME` and reads back the pair. */
export function makeKey(
  dir: string,
  name: string,
  type: 'ed25519' | 'rsa' | 'ecdsa',
  extra: string[] = [],
): GeneratedKey {
  const path = join(dir, name)
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${name}@unit`, ...extra,
    '-f', path])
  const publicLine = readFileSync(`${path}.pub`, 'utf8').trim()
  const [keyType, base64] = publicLine.split(' ')
  const listed = keygenFingerprint(path)
  return {
    path,
    publicLine,
    type: keyType,
    base64,
    ...listed,
    privateKey: parseOneKey(readFileSync(path)),
  }
}

export interface KeygenListing {
  bits: number
  fingerprint: string
  label: string
}

/** `ssh-keygen -lf FILE` as bits, fingerprint and label, e.g. 256 SHA256:... (ED25519). */
export function keygenFingerprint(file: string): KeygenListing {
  const fields = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], {
    encoding: 'utf8',
  }).trim().split(/\s+/)
  return {
    bits: Number(fields[0]),
    fingerprint: fields[1],
    label: fields[fields.length - 1].replace(/[()]/g, ''),
  }
}

/** ssh2's parseKey, failing loudly on an error and taking the first of several keys. */
export function parseOneKey(data: string | Buffer): ParsedKey {
  const parsed = utils.parseKey(data)
  if (parsed instanceof Error) throw parsed
  return Array.isArray(parsed) ? parsed[0] : parsed
}
