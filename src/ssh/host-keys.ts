import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { utils } from 'ssh2'

import { ErrorCode, GatewayError } from '../errors'

export interface HostKey {
  type: string
  file: string
  privateKey: Buffer
  fingerprint: string
  generated: boolean
}

/** The host keys every gateway has; sshd's file names, so operators know them on sight. */
const HOST_KEY_TYPES = [
  { type: 'ed25519', file: 'ssh_host_ed25519_key' },
  { type: 'rsa', file: 'ssh_host_rsa_key' },
] as const

/** Loads the host keys from DIR, generating any that are missing with mode 0600. */
export function loadHostKeys(dir: string): HostKey[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return HOST_KEY_TYPES.map(({ type, file }) => {
    const path = join(dir, file)
    const generated = !exists(path)
    if (generated) generateKey(type, path)
    return readHostKey(type, path, generated)
  })
}

/**
 * Reads the host keys in DIR as loadHostKeys would, without generating any: throws if one is
 * unsafe or unreadable, and returns a note for each that the next start would create.
 */
export function checkHostKeys(dir: string): string[] {
  const notes: string[] = []
  for (const { type, file } of HOST_KEY_TYPES) {
    const path = join(dir, file)
    if (exists(path)) readHostKey(type, path, false)
    else notes.push(`host key "${path}" does not exist yet; the gateway will generate it`)
  }
  return notes
}

/** SHA256:base64 of the public key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOf(publicBlob: Buffer): string {
  const digest = createHash('sha256').update(publicBlob).digest('base64')
  return `SHA256:${digest.replace(/=+$/, '')}`
}

/**
 * ssh2 (1.17) writes an ed25519 key that its own parser calls malformed about 1 time in 200
 * (15 of 3,000 here), so a generated key is parsed before it is kept, and made again if needed.
 */
const GENERATE_ATTEMPTS = 10

function generateKey(type: 'ed25519' | 'rsa', path: string): void {
  const pair = generateParsableKeyPair(type)
  writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' })
  writeFileSync(`${path}.pub`, `${pair.public} execgate-host-key\n`, { mode: 0o644 })
}

/** A key pair whose private key ssh2 itself can read back. */
export function generateParsableKeyPair(type: 'ed25519' | 'rsa') {
  for (let attempt = 1; ; attempt++) {
    const pair = type === 'rsa'
      ? utils.generateKeyPairSync('rsa', { bits: 3072 })
      : utils.generateKeyPairSync('ed25519')
    const parsed = utils.parseKey(pair.private)
    if (!(parsed instanceof Error)) return pair
    if (attempt === GENERATE_ATTEMPTS) {
      throw new GatewayError(
        ErrorCode.HOST_KEY_UNREADABLE,
        `could not generate a usable ${type} host key: ${parsed.message}`,
      )
    }
  }
}

/** Like sshd, refuses a private key that anyone but its owner can read or write. */
function readHostKey(type: string, path: string, generated: boolean): HostKey {
  const mode = statSync(path).mode & 0o777
  if ((mode & 0o077) !== 0) {
    throw new GatewayError(
      ErrorCode.HOST_KEY_UNSAFE,
      `host key "${path}" has mode ${mode.toString(8).padStart(4, '0')}; ` +
        'it must be readable by its owner only (chmod 600)',
    )
  }

  const privateKey = readFileSync(path)
  const parsed = utils.parseKey(privateKey)
  if (parsed instanceof Error) {
    throw new GatewayError(ErrorCode.HOST_KEY_UNREADABLE, `host key "${path}": ${parsed.message}`)
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  return { type, file: path, privateKey, fingerprint: fingerprintOf(key.getPublicSSH()), generated }
}

function exists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}
