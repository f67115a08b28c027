import http from 'node:http'
import https from 'node:https'

import { ErrorCode, GatewayError } from '../../errors'
import { describeEndpoint, tlsOptions } from './endpoint'
import { requestRoute } from './request-route'
import type { Endpoint } from './endpoint'

/** The LXD/Incus response envelope; errors come back with type "error". */
export interface DaemonResponse<T = unknown> {
  type: 'sync' | 'async' | 'error'
  status_code: number
  error_code?: number
  error?: string
  operation?: string
  metadata: T
}

export interface RawResponse {
  statusCode: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A REST call the daemon answered with an error envelope or an HTTP error status. */
export class DaemonRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly daemonMessage: string,
    readonly path: string,
  ) {
    super(`${path}: ${statusCode} ${daemonMessage}`)
    this.name = 'DaemonRequestError'
  }
}

const REQUEST_TIMEOUT_MS = 30_000

/** Told of every request: its route, how long it took, and its HTTP status (0: no answer). */
export type RequestListener = (report: {
  method: string
  route: string
  durationSeconds: number
  statusCode: number
}) => void

/** HTTP/1.1 to one daemon, over its unix socket or HTTPS, with keep-alive connections. */
export class DaemonHttp {
  private readonly agent: http.Agent
  private listener?: RequestListener

  constructor(private readonly endpoint: Endpoint) {
    this.agent = endpoint.kind === 'unix'
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({ keepAlive: true, ...tlsOptions(endpoint) })
  }

  /** Sends a JSON request and unwraps the envelope; daemon errors become DaemonRequestError. */
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<DaemonResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const headers: Record<string, string> = payload ? { 'Content-Type': 'application/json' } : {}
    const response = await this.raw(method, path, { body: payload, headers, timeoutMs })
    return parseEnvelope<T>(response, path)
  }

  /** Sets who is told of each request from now on. */
  listen(listener: RequestListener): void {
    this.listener = listener
  }

  /** Sends a request and returns status, headers and the whole body. */
  async raw(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<RawResponse> {
    if (!this.listener) return this.send(method, path, options)

    const startedAt = process.hrtime.bigint()
    const report = (statusCode: number) => this.listener?.({
      method,
      route: requestRoute(path),
      durationSeconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
      statusCode,
    })
    let response: RawResponse
    try {
      response = await this.send(method, path, options)
    } catch (err) {
      report(0)
      throw err
    }
    report(response.statusCode)
    return response
  }

  private send(method: string, path: string, options: RequestOptions): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const request = this.request(method, path, options.headers ?? {}, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({
          statusCode: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }))
        response.on('error', reject)
      })

      // A wait on an operation can last as long as the process; other calls are bounded.
      const timeout = options.timeoutMs ?? REQUEST_TIMEOUT_MS
      if (timeout > 0) {
        const expire = () => request.destroy(new Error(`timed out after ${timeout} ms`))
        request.setTimeout(timeout, expire)
      }
      request.on('error', (err) => reject(unreachable(this.endpoint, path, err)))
      request.end(options.body)
    })
  }

  close(): void {
    this.agent.destroy()
  }

  private request(
    method: string,
    path: string,
    headers: Record<string, string>,
    onResponse: (response: http.IncomingMessage) => void,
  ): http.ClientRequest {
    const common = { method, path, headers: { Host: 'execgate', ...headers }, agent: this.agent }
    if (this.endpoint.kind === 'unix') {
      return http.request({ ...common, socketPath: this.endpoint.socketPath }, onResponse)
    }
    const { host, port } = this.endpoint
    return https.request({ ...common, host, port, ...tlsOptions(this.endpoint) }, onResponse)
  }
}

interface RequestOptions {
  body?: Buffer
  headers?: Record<string, string>
  timeoutMs?: number
}

function parseEnvelope<T>(response: RawResponse, path: string): DaemonResponse<T> {
  let envelope: DaemonResponse<T>
  try {
    envelope = JSON.parse(response.body.toString('utf8')) as DaemonResponse<T>
  } catch {
    const text = response.body.toString('utf8').slice(0, 200).trim()
    throw new DaemonRequestError(response.statusCode, text || 'malformed response', path)
  }

  if (envelope.type === 'error' || response.statusCode >= 400) {
    throw new DaemonRequestError(response.statusCode, envelope.error ?? 'unknown error', path)
  }
  return envelope
}

function unreachable(endpoint: Endpoint, path: string, cause: Error): GatewayError {
  const where = describeEndpoint(endpoint)
  return new GatewayError(
    ErrorCode.BACKEND_UNREACHABLE,
    `daemon at ${where} did not answer ${path}: ${cause.message}`,
    { userMessage: 'the container daemon is unreachable', cause },
  )
}
