import WebSocket from 'ws'

import { authority, tlsOptions } from './endpoint'
import type { Endpoint } from './endpoint'

/**
 * The daemon fails an exec whose sockets are not all up 5 s (LXD 5.0) or 10 s (newer) after the
 * POST, so a connect still hanging after that, on a network that drops packets, is of no use.
 */
const CONNECT_TIMEOUT_MS = 10_000

/**
 * Client frames must carry a mask (RFC 6455 5.3), but its randomness only guards intermediaries
 * that could be tricked into caching; between the gateway and the daemon there are none (a
 * local socket, or TLS end to end). An all-zero mask lets ws skip XOR-ing and copying every
 * input byte, which was the largest cost of uploads (840 ms of CPU for 300 MiB).
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0)
}

/**
 * The daemon pings every exec socket when it connects and every 10 s, and sets no read
 * deadline, so nothing needs the pongs. Answering costs output: once the daemon has written a
 * short command's output and closed the socket, a pong sent into it fails with EPIPE, and Node
 * then destroys the socket with that output still unread in the kernel's buffer (seen as empty
 * sessions with status 0, several in a hundred, right after an LXD restart).
 */
const ANSWER_PINGS = false

/**
 * Opens the websocket of one exec fd, paused; rejects with the daemon's answer if it is not
 * upgraded. The daemon starts the command once its last socket is up, which can be before this
 * side has seen every socket open, so output would be emitted before anyone listens for it. The
 * caller resumes each socket once its reader is attached.
 */
export function connectWebSocket(endpoint: Endpoint, path: string): Promise<WebSocket> {
  const options = {
    perMessageDeflate: false,
    handshakeTimeout: CONNECT_TIMEOUT_MS,
    generateMask: zeroMask,
    autoPong: ANSWER_PINGS,
  }
  const socket = endpoint.kind === 'unix'
    ? new WebSocket(`ws+unix://${endpoint.socketPath}:${path}`, options)
    : new WebSocket(`wss://${authority(endpoint)}${path}`, { ...options, ...tlsOptions(endpoint) })

  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.pause()
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
