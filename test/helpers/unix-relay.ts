import { rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'

/** A unix socket that relays to a daemon's socket, and can stop answering on cue. */
export interface UnixRelay {
  path: string
  /** Closes the socket and every relayed connection: the daemon is gone, as seen through it. */
  cut(): Promise<void>
  /** Listens again at the same path. */
  restore(): Promise<void>
}

/**
 * Relays PATH to TARGET byte for byte. What a gateway sees through it when cut is what it
 * sees of a daemon that died: connections reset, then nothing listening at the socket.
 */
export async function startUnixRelay(path: string, target: string): Promise<UnixRelay> {
  const connections = new Set<Socket>()
  let server: Server | undefined

  const listen = async () => {
    await rm(path, { force: true })
    server = createServer((client) => relay(client, target, connections))
    await new Promise<void>((resolve) => server?.listen(path, resolve))
  }
  await listen()

  return {
    path,
    async cut() {
      const closed = new Promise<void>((resolve) => server?.close(() => resolve()))
      for (const socket of connections) socket.destroy()
      connections.clear()
      await closed
      await rm(path, { force: true })
    },
    restore: listen,
  }
}

function relay(client: Socket, target: string, connections: Set<Socket>): void {
  const upstream = connect(target)
  for (const socket of [client, upstream]) {
    connections.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => connections.delete(socket))
  }
  client.pipe(upstream)
  upstream.pipe(client)
}
