import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect } from 'node:tls'
import type { PeerCertificate } from 'node:tls'

import { ErrorCode, GatewayError } from '../../errors'

/** How to reach one daemon: its unix socket, or its HTTPS address with a client certificate. */
export type Endpoint = UnixEndpoint | HttpsEndpoint

export interface UnixEndpoint {
  kind: 'unix'
  socketPath: string
}

export interface HttpsEndpoint {
  kind: 'https'
  host: string
  port: number
  cert: Buffer
  key: Buffer
  /** Hex SHA-256 of the daemon's certificate; the connection is refused on any other. */
  serverFingerprint: string
  /** The daemon's certificate in PEM, once fetched and checked against the fingerprint. */
  ca?: string
}

export interface HttpsOptions {
  clientCert: string
  clientKey: string
  serverFingerprint?: string
}

export function parseEndpoint(url: string, tls: HttpsOptions | undefined): Endpoint {
  if (!url.startsWith('https://')) return { kind: 'unix', socketPath: url }

  const parsed = new URL(url)
  if (!tls?.serverFingerprint) {
    throw new GatewayError(
      ErrorCode.CONFIG_INVALID,
      `backend.tls: clientCert, clientKey and serverFingerprint are required for "${url}"`,
    )
  }
  return {
    kind: 'https',
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 8443),
    cert: readPem(tls.clientCert, 'backend.tls.clientCert'),
    key: readPem(tls.clientKey, 'backend.tls.clientKey'),
    serverFingerprint: tls.serverFingerprint,
  }
}

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'unix'
    ? endpoint.socketPath
    : `https://${endpoint.host}:${endpoint.port}`
}

/**
 * Fetches the daemon's self-signed certificate with a bare handshake (nothing else is sent) and
 * keeps it as the only trusted root when it matches the pinned fingerprint.
 */
export async function pinServerCertificate(endpoint: HttpsEndpoint): Promise<void> {
  const cert = await peerCertificate(endpoint)
  const actual = fingerprintOf(cert)
  if (actual !== endpoint.serverFingerprint) {
    throw new GatewayError(
      ErrorCode.BACKEND_UNREACHABLE,
      `daemon at ${describeEndpoint(endpoint)} presented certificate ${actual}, ` +
        `expected ${endpoint.serverFingerprint}`,
    )
  }
  endpoint.ca = `-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64')}\n` +
    '-----END CERTIFICATE-----\n'
}

/** TLS options shared by REST calls and websockets, once the server certificate is pinned. */
export function tlsOptions(endpoint: HttpsEndpoint): Record<string, unknown> {
  return {
    cert: endpoint.cert,
    key: endpoint.key,
    ca: endpoint.ca,
    minVersion: 'TLSv1.3',
    ALPNProtocols: ['http/1.1'],
    // The certificate names only the daemon's host name and loopback: the pin replaces them.
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      fingerprintOf(cert) === endpoint.serverFingerprint
        ? undefined
        : new Error('daemon certificate does not match the pinned fingerprint'),
  }
}

function peerCertificate(endpoint: HttpsEndpoint): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      cert: endpoint.cert,
      key: endpoint.key,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
    })
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')))
    socket.once('secureConnect', () => {
      resolve(socket.getPeerCertificate())
      socket.end()
    })
    socket.once('error', (err) =>
      reject(new GatewayError(ErrorCode.BACKEND_UNREACHABLE,
        `cannot reach daemon at ${describeEndpoint(endpoint)}: ${err.message}`, { cause: err })))
  })
}

function fingerprintOf(cert: PeerCertificate): string {
  return new X509Certificate(cert.raw).fingerprint256.replace(/:/g, '').toLowerCase()
}

function readPem(file: string, field: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw new GatewayError(ErrorCode.CONFIG_INVALID, `${field}: cannot read "${file}"`, {
      cause: err,
    })
  }
}
