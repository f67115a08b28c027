import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'

import { ErrorCode, GatewayError } from '../../errors'
import { tlsOptions } from './endpoint'
import { DaemonRequestError } from './http'
import type { Endpoint } from './endpoint'

const UPGRADE_TIMEOUT_MS = 10_000

/**
 * Upgrades GET /1.0/instances/NAME/sftp to a raw SFTP v3 byte stream served by the daemon's own
 * SFTP server, so no sftp-server is needed in the container. HTTP/1.1 only: h2 has no Upgrade.
 */
export function upgradeToSftp(endpoint: Endpoint, path: string): Promise<Duplex> {
  const headers = { Host: 'execgate', Upgrade: 'sftp', Connection: 'Upgrade' }
  const request = endpoint.kind === 'unix'
    ? http.request({ socketPath: endpoint.socketPath, path, headers, agent: false })
    : https.request({
      host: endpoint.host,
      port: endpoint.port,
      path,
      headers,
      agent: false,
      ...tlsOptions(endpoint),
    })

  return new Promise((resolve, reject) => {
    request.setTimeout(UPGRADE_TIMEOUT_MS, () => request.destroy(new Error('upgrade timed out')))
    request.once('upgrade', (_response, socket, head) => {
      request.setTimeout(0)
      if (head.length > 0) socket.unshift(head)
      resolve(socket)
    })
    request.once('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => reject(refused(path, response.statusCode, chunks)))
    })
    request.once('error', (err) => reject(new GatewayError(
      ErrorCode.BACKEND_UNREACHABLE,
      `sftp upgrade of ${path} failed: ${err.message}`,
      { userMessage: 'the container daemon is unreachable', cause: err },
    )))
    request.end()
  })
}

function refused(path: string, status: number | undefined, chunks: Buffer[]): DaemonRequestError {
  const body = Buffer.concat(chunks).toString('utf8')
  let message = body.slice(0, 200)
  try {
    message = (JSON.parse(body) as { error?: string }).error ?? message
  } catch {
    // Not the JSON envelope; the raw text is the best there is.
  }
  return new DaemonRequestError(status ?? 0, message, path)
}
