import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect, createSecureContext } from 'node:tls'
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
  /** The client certificate's file, named when the daemon does not trust it. */
  certFile: string
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

/**
 * A unix socket path or an https:// URL. There is no trust on first use: an HTTPS daemon is
 * only ever reached with its certificate pinned by fingerprint.
 */
export function parseEndpoint(url: string, tls: HttpsOptions | undefined): Endpoint {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('https://')) {
    throw new GatewayError(
      ErrorCode.CONFIG_INVALID,
      `backend.url: "${url}" is neither a unix socket path nor an https:// URL`,
    )
  }
  if (!url.startsWith('https://')) return { kind: 'unix', socketPath: url }

  const parsed = new URL(url)
  if (!tls?.serverFingerprint) {
    throw new GatewayError(
      ErrorCode.CONFIG_INVALID,
      `backend.tls: clientCert, clientKey and serverFingerprint are required for "${url}"`,
    )
  }
  const cert = readPem(tls.clientCert, 'backend.tls.clientCert')
  const key = readPem(tls.clientKey, 'backend.tls.clientKey')
  checkKeyPair(cert, key, tls)
  return {
    kind: 'https',
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 8443),
    certFile: tls.clientCert,
    cert,
    key,
    serverFingerprint: tls.serverFingerprint,
  }
}

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'unix' ? endpoint.socketPath : `https://${authority(endpoint)}`
}

/** HOST:PORT as a URL spells it, with an IPv6 address in brackets. */
export function authority(endpoint: HttpsEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host
  return `${host}:${endpoint.port}`
}

/** The SHA-256 fingerprint of the client certificate, as the daemons' trust stores list it. */
export function clientFingerprint(endpoint: HttpsEndpoint): string {
  return normalize(new X509Certificate(endpoint.cert).fingerprint256)
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
      `server certificate fingerprint mismatch: daemon at ${describeEndpoint(endpoint)} ` +
        `presented ${actual}, backend.tls.serverFingerprint is ${endpoint.serverFingerprint}`,
    )
  }
  endpoint.ca = new X509Certificate(cert.raw).toString()
}

/** The start-up error for a daemon that answers, but as to a stranger (`auth: untrusted`). */
export function notTrusted(endpoint: Endpoint, auth: string): GatewayError {
  const what = endpoint.kind === 'unix'
    ? 'this client'
    : `client certificate "${endpoint.certFile}" (${clientFingerprint(endpoint)})`
  const add = endpoint.kind === 'unix'
    ? 'use a socket that grants access'
    : `trust it with "lxc config trust add ${endpoint.certFile}" or ` +
      `"incus config trust add-certificate ${endpoint.certFile}"`
  return new GatewayError(
    ErrorCode.BACKEND_UNREACHABLE,
    `certificate not trusted: daemon at ${describeEndpoint(endpoint)} answers ${what} ` +
      `as "${auth}"; ${add}`,
  )
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
  return normalize(new X509Certificate(cert.raw).fingerprint256)
}

function normalize(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase()
}

/** A key that is not the certificate's would only fail later, in the middle of a handshake. */
function checkKeyPair(cert: Buffer, key: Buffer, tls: HttpsOptions): void {
  try {
    createSecureContext({ cert, key })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new GatewayError(
      ErrorCode.CONFIG_INVALID,
      `backend.tls: cannot use key "${tls.clientKey}" with certificate "${tls.clientCert}": ` +
        reason,
      { cause: err },
    )
  }
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
