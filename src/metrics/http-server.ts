import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

import { ErrorCode, GatewayError } from '../errors'

export interface MetricsServerOptions {
  registry: Registry
  /** Why the gateway cannot serve now, as the 503 body says it; undefined means healthy. */
  unhealthy: () => string | undefined
  log: Logger
}

/** GET /metrics and GET /healthz on a listen address of their own; anything else is a 404. */
export class MetricsServer {
  private readonly server: Server

  constructor(private readonly options: MetricsServerOptions) {
    this.server = createServer((request, response) => this.onRequest(request, response))
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(new GatewayError(
        ErrorCode.METRICS_LISTEN_FAILED,
        `metrics.listen: cannot listen on ${host}:${port}: ${err.message}`,
        { cause: err },
      ))
      this.server.once('error', fail)
      this.server.listen(port, host, () => {
        this.server.off('error', fail)
        resolve(this.server.address() as AddressInfo)
      })
    })
  }

  /** Stops listening and cuts the scrapers' keep-alive connections, which would hold it open. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?')[0]
    if (request.method === 'GET' && path === '/metrics') return void this.sendMetrics(response)
    if (request.method === 'GET' && path === '/healthz') return this.sendHealth(response)
    send(response, 404, 'not found\n')
  }

  private async sendMetrics(response: ServerResponse): Promise<void> {
    try {
      const text = await this.options.registry.metrics()
      send(response, 200, text, this.options.registry.contentType)
    } catch (err) {
      this.options.log.error({ err, event: 'metrics_failed' }, 'could not render metrics')
      send(response, 500, 'metrics unavailable\n')
    }
  }

  private sendHealth(response: ServerResponse): void {
    const reason = this.options.unhealthy()
    if (reason === undefined) return send(response, 200, 'ok\n')
    send(response, 503, `${reason}\n`)
  }
}

function send(response: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' })
  response.end(body)
}
