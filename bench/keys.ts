import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { output } from './spawn'

/** Makes an unencrypted ed25519 key pair with ssh-keygen; returns the private key's path. */
export async function makeKey(dir: string, name: string): Promise<string> {
  const path = join(dir, name)
  await output({ cmd: 'ssh-keygen',
    args: ['-q', '-t', 'ed25519', '-N', '', '-C', `execgate-bench-${name}`, '-f', path] })
  return path
}

/** Writes an authorized_keys file holding one key's public half. */
export async function writeAuthorizedKeys(keyPath: string, file: string): Promise<void> {
  const publicLine = (await readFile(`${keyPath}.pub`, 'utf8')).trim()
  await writeFile(file, `${publicLine}\n`, { mode: 0o600 })
}
