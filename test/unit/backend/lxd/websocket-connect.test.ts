import { expect } from 'chai'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { join } from 'node:path'
import WebSocket, { WebSocketServer } from 'ws'

import { connectWebSocket } from '../../../../src/backend/lxd/websocket-connect'
import { makeTempDir, removeDir } from '../../helpers/keygen'

/**
 * A plain ws server on a unix socket stands in for the daemon's websocket end: what is tested
 * is what the gateway's side writes back, which no real daemon reports.
 */
describe('connectWebSocket (against a plain ws server)', () => {
  let dir: string
  let http: Server
  let server: WebSocketServer
  const path = () => join(dir, 'daemon.sock')

  beforeEach(async () => {
    dir = makeTempDir('ws')
    http = createServer()
    server = new WebSocketServer({ server: http })
    await new Promise<void>((resolve) => http.listen(path(), resolve))
  })

  afterEach(async () => {
    for (const client of server.clients) client.terminate()
    server.close()
    await new Promise((resolve) => http.close(resolve))
    removeDir(dir)
  })

  it('never answers the daemon\'s pings, so it never writes into a socket being closed',
    async () => {
      let pongs = 0
      server.on('connection', (peer) => {
        peer.on('pong', () => pongs++)
        peer.ping('keepalive')
        peer.send(Buffer.from('out'), { binary: true })
      })

      const socket = await connectWebSocket({ kind: 'unix', socketPath: path() }, '/exec')
      const received = new Promise<Buffer>((resolve) => socket.once('message', resolve))
      socket.resume()

      expect((await received).toString()).to.equal('out')
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(pongs, 'pongs the server saw').to.equal(0)
      socket.terminate()
    })

  it('comes paused: nothing the daemon sends is delivered before resume()', async () => {
    server.on('connection', (peer) => peer.send(Buffer.from('early'), { binary: true }))

    const socket = await connectWebSocket({ kind: 'unix', socketPath: path() }, '/exec')
    let delivered = false
    socket.on('message', () => (delivered = true))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(delivered, 'delivered while paused').to.equal(false)

    socket.resume()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(delivered, 'delivered once resumed').to.equal(true)
    expect(socket.readyState).to.equal(WebSocket.OPEN)
    socket.terminate()
  })
})
