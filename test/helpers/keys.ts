import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runOk } from './process'

/** A client key pair made by ssh-keygen. */
export interface ClientKey {
  /** The private key file (OpenSSH format), for `ssh -i`. */
  path: string
  /** The public key line, for an authorized_keys file. */
  publicLine: string
}

/** Makes an unencrypted ed25519 client key named `name` in `dir`. */
export async function makeClientKey(dir: string, name = 'client_key'): Promise<ClientKey> {
  const path = join(dir, name)
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `execgate-test-${name}`,
    '-f', path])
  const publicLine = (await readFile(`${path}.pub`, 'utf8')).trim()
  return { path, publicLine }
}

/** The SHA256 fingerprints of the host keys a server offers, keyed by type (ED25519, RSA). */
export async function scanHostKeys(port: number): Promise<Map<string, string>> {
  const scanned = await runOk('ssh-keyscan', ['-T', '5', '-p', String(port),
    '-t', 'ed25519,rsa', '127.0.0.1'])
  const listed = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'],
    { stdin: Buffer.from(scanned) })
  return new Map(listed.trim().split('\n').map(parseFingerprintLine))
}

// ssh-keygen -l prints "256 SHA256:abc... [127.0.0.1]:port (ED25519)".
function parseFingerprintLine(line: string): [string, string] {
  const fields = line.trim().split(/\s+/)
  return [fields[fields.length - 1].replace(/[()]/g, ''), fields[1]]
}
