import { connect, createServer } from 'node:net'

/** A loopback port that was free a moment ago (sshd cannot be told to pick one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

/** Resolves once something on 127.0.0.1:port sends an SSH banner; rejects after timeoutMs. */
export async function waitForBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await readsBanner(port)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no SSH banner on 127.0.0.1:${port} after ${timeoutMs} ms`)
}

function readsBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('data', (chunk: Buffer) => done(chunk.toString().startsWith('SSH-')))
    socket.once('error', () => done(false))
  })
}
