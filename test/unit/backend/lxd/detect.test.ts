import { expect } from 'chai'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { join } from 'node:path'

import { candidateSockets, detectLocalSocket } from '../../../../src/backend/lxd/detect'
import { makeTempDir, removeDir } from '../../helpers/keygen'

const SYSTEM_SOCKETS = [
  '/var/snap/lxd/common/lxd/unix.socket',
  '/var/lib/lxd/unix.socket',
  '/var/lib/incus/unix.socket',
  '/run/incus/unix.socket',
]

describe('candidateSockets', () => {
  it('lists the snap LXD, LXD and Incus sockets in order without environment variables', () => {
    expect(candidateSockets({})).to.deep.equal(SYSTEM_SOCKETS)
  })

  it('puts LXD_SOCKET first', () => {
    expect(candidateSockets({ LXD_SOCKET: '/tmp/lxd.sock' })).to.deep.equal([
      '/tmp/lxd.sock',
      ...SYSTEM_SOCKETS,
    ])
  })

  it('puts LXD_SOCKET before INCUS_SOCKET, and both before the fixed paths', () => {
    expect(candidateSockets({ INCUS_SOCKET: '/tmp/incus.sock', LXD_SOCKET: '/tmp/lxd.sock' }))
      .to.deep.equal(['/tmp/lxd.sock', '/tmp/incus.sock', ...SYSTEM_SOCKETS])
  })

  it('leaves out empty variables', () => {
    expect(candidateSockets({ LXD_SOCKET: '', INCUS_SOCKET: '' })).to.deep.equal(SYSTEM_SOCKETS)
  })

  it('reads process.env by default', () => {
    const saved = process.env.LXD_SOCKET
    process.env.LXD_SOCKET = '/tmp/from-process-env.sock'
    try {
      expect(candidateSockets()[0]).to.equal('/tmp/from-process-env.sock')
    } finally {
      if (saved === undefined) delete process.env.LXD_SOCKET
      else process.env.LXD_SOCKET = saved
    }
  })
})

describe('detectLocalSocket', () => {
  let dir: string
  let server: Server
  let socketPath: string

  before(async () => {
    dir = makeTempDir('detect')
    socketPath = join(dir, 'unix.socket')
    server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(socketPath, resolve)
    })
  })

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    removeDir(dir)
  })

  it('returns LXD_SOCKET when it is a socket', () => {
    expect(detectLocalSocket({ LXD_SOCKET: socketPath })).to.equal(socketPath)
  })

  it('skips a candidate that does not exist', () => {
    const env = { LXD_SOCKET: join(dir, 'missing.socket'), INCUS_SOCKET: socketPath }
    expect(detectLocalSocket(env)).to.equal(socketPath)
  })

  it('skips a candidate that is a regular file', () => {
    const file = join(dir, 'regular-file')
    writeFileSync(file, '')
    expect(detectLocalSocket({ LXD_SOCKET: file, INCUS_SOCKET: socketPath })).to.equal(socketPath)
  })

  it('skips a candidate that is a folder', () => {
    const folder = join(dir, 'folder')
    mkdirSync(folder)
    expect(detectLocalSocket({ LXD_SOCKET: folder, INCUS_SOCKET: socketPath })).to.equal(
      socketPath,
    )
  })
})
