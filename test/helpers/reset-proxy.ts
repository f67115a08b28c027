import { connect, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'

/** A TCP relay in front of the gateway that can cut its connections with a reset. */
export interface ResetProxy {
  port: number
  /** Sends a TCP RST to the gateway on every relayed connection, and drops the clients. */
  resetAll(): void
  close(): Promise<void>
}

/**
 * Relays 127.0.0.1:PORT to the gateway. resetAll() is what the gateway sees of a client whose
 * host vanished or whose middlebox gave up: an RST, with no SSH disconnect and no FIN first.
 */
export async function startResetProxy(gatewayPort: number): Promise<ResetProxy> {
  const pairs = new Set<[Socket, Socket]>()
  const server: Server = createServer((client) => {
    const upstream = connect(gatewayPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    for (const socket of pair) {
      socket.on('error', () => undefined)
      socket.on('close', () => pairs.delete(pair))
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')

  return {
    port: address.port,
    resetAll() {
      for (const [client, upstream] of pairs) {
        upstream.resetAndDestroy()
        client.destroy()
      }
      pairs.clear()
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
