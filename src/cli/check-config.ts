import { parseEndpoint } from '../backend/lxd/endpoint'
import { readAuthorizedKeys } from '../ssh/authorized-keys'
import { checkHostKeys } from '../ssh/host-keys'
import { readTrustedCAKeys } from '../ssh/trusted-ca-keys'
import type { BackendConfig, GatewayConfig } from '../config/schema'

/**
 * What `--check-config` checks beyond the config's own validation: every file it names is
 * read and parsed as the gateway would at start. Throws on the first problem that would stop
 * the gateway; returns, as warnings, what the gateway would skip and log.
 */
export function checkConfig(config: GatewayConfig): string[] {
  const warnings = checkHostKeys(config.hostKeysDir)

  const file = config.authorizedKeysFile
  for (const { line, reason } of readAuthorizedKeys(file).skipped) {
    warnings.push(`${file}:${line}: skipped: ${reason}`)
  }

  const caFile = config.auth.trustedUserCAKeys
  if (caFile) {
    for (const { line, reason } of readTrustedCAKeys(caFile).skipped) {
      warnings.push(`${caFile}:${line}: skipped: ${reason}`)
    }
  }

  checkBackend(config.backend)
  for (const backend of Object.values(config.backends)) checkBackend(backend)
  return warnings
}

/** Reads an https backend's certificate and key; whether the daemon answers is not checked. */
function checkBackend(backend: BackendConfig): void {
  if (backend.url) parseEndpoint(backend.url, backend.tls)
}
