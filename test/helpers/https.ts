import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { GATEWAY_BIN } from './gateway'
import { makeClientKey } from './keys'
import { run } from './process'
import type { Daemon } from './daemons'
import type { RunResult } from './process'

/** Where scripts/setup-https.sh writes the client certificates and the daemons' fingerprints. */
export const TLS_DIR = '/var/lib/execgate-test/tls'

/** The client certificates setup-https.sh makes: one both daemons trust, one neither does. */
export type ClientCertificate = 'client' | 'untrusted'

/** A daemon as the gateway reaches it over HTTPS. */
export interface HttpsDaemon {
  /** `--backend`. */
  url: string
  /** SHA-256 of the daemon's server certificate, lowercase hex. */
  fingerprint: string
}

// Both daemons run on one host, so Incus cannot have its usual 8443.
const HTTPS_PORTS: Record<Daemon['name'], number> = { lxd: 8443, incus: 8444 }

/** The daemon's HTTPS address and pin; throws, naming the setup script, when they are missing. */
export async function requireHttps(daemon: Daemon): Promise<HttpsDaemon> {
  const file = join(TLS_DIR, `${daemon.name}.sha256`)
  const fingerprint = await readFile(file, 'utf8').then((text) => text.trim(), () => '')
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) {
    throw new Error(`no fingerprint of ${daemon.name} in ${file}; run scripts/setup-https.sh`)
  }
  return { url: `https://127.0.0.1:${HTTPS_PORTS[daemon.name]}`, fingerprint }
}

/** The `backend.tls` config for one of the test client certificates and a pin (or none). */
export function tlsConfig(cert: ClientCertificate, fingerprint: string | undefined) {
  const tls: Record<string, string> = {
    clientCert: join(TLS_DIR, `${cert}.crt`),
    clientKey: join(TLS_DIR, `${cert}.key`),
  }
  if (fingerprint !== undefined) tls.serverFingerprint = fingerprint
  return { backend: { tls } }
}

/**
 * Runs `bin/execgate --backend URL --config CONFIG` for a start that is meant to fail, and
 * returns how it ended. A gateway that starts listening instead is killed after `timeoutMs`.
 */
export async function runFailingStart(
  backend: string,
  config: Record<string, unknown>,
  timeoutMs = 15000,
): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'execgate-https-'))
  try {
    const key = await makeClientKey(dir)
    await writeFile(join(dir, 'authorized_keys'), `${key.publicLine}\n`, { mode: 0o600 })
    await writeFile(join(dir, 'execgate.yaml'), stringify(config))
    return await run(process.execPath, [GATEWAY_BIN, '--listen', '127.0.0.1:0',
      '--backend', backend, '--config', join(dir, 'execgate.yaml'),
      '--host-keys', join(dir, 'host-keys'), '--authorized-keys', join(dir, 'authorized_keys'),
      '--log-level', 'info'], { timeoutMs })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
