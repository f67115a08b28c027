import WebSocket from 'ws'

import { tlsOptions } from './endpoint'
import type { Endpoint } from './endpoint'

/** Opens the websocket of one exec fd; rejects with the daemon's answer if it is not upgraded. */
export function connectWebSocket(endpoint: Endpoint, path: string): Promise<WebSocket> {
  const socket = endpoint.kind === 'unix'
    ? new WebSocket(`ws+unix://${endpoint.socketPath}:${path}`, { perMessageDeflate: false })
    : new WebSocket(`wss://${endpoint.host}:${endpoint.port}${path}`, {
      perMessageDeflate: false,
      ...tlsOptions(endpoint),
    })

  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.removeAllListeners('unexpected-response')
      resolve(socket)
    })
    socket.once('unexpected-response', (_request, response) => {
      const status = response.statusCode
      response.resume()
      socket.terminate()
      reject(new Error(`websocket refused with HTTP ${status}`))
    })
    socket.once('error', reject)
  })
}

/** Closes a websocket whatever state it is in, without waiting for the peer. */
export function dropWebSocket(socket: WebSocket | undefined): void {
  if (!socket || socket.readyState === WebSocket.CLOSED) return
  socket.terminate()
}
