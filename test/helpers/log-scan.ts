import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { LogLine } from './gateway'

/**
 * An environment value the env tests send, so that the scan can tell whether a value (not just
 * a name) ever reached a log line.
 */
export const SECRET_ENV_VALUE = 'execgate-secret-env-7f3a9c51'

/** What must never stand in a gateway's log, at any level. */
export interface Secrets {
  /** Lines of private key files: any one of them in a log line is key material. */
  keyLines: string[]
}

/** The base64 lines of every private key file the gateway and its test client use. */
export async function collectSecrets(hostKeysDir: string, clientKeyPath: string) {
  const files = [clientKeyPath]
  const names = await readdir(hostKeysDir).catch(() => [] as string[])
  files.push(...names.map((name) => join(hostKeysDir, name)))

  const keyLines: string[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '')
    if (!text.includes('PRIVATE KEY')) continue
    keyLines.push(...text.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line)))
  }
  return { keyLines }
}

/** Each log line that holds key material, a websocket secret or the secret env value. */
export function findLeaks(logs: LogLine[], secrets: Secrets): string[] {
  return logs.map((line) => JSON.stringify(line)).filter((text) =>
    text.includes('PRIVATE KEY')
    || /secret=|"secret"\s*:/i.test(text)
    || text.includes(SECRET_ENV_VALUE)
    || secrets.keyLines.some((keyLine) => text.includes(keyLine)))
}
