import { expect } from 'chai'
import { Socket } from 'node:net'

import {
  cutUnresponsive,
  isKeepaliveTimeout,
  keepaliveServerOptions,
} from '../../../src/ssh/keepalive'

describe('keepaliveServerOptions', () => {
  it('hands the interval and the count to ssh2 as they are', () => {
    expect(keepaliveServerOptions({ intervalMs: 500, countMax: 2 })).to.deep.equal({
      keepaliveInterval: 500,
      keepaliveCountMax: 2,
    })
  })

  it('turns 0 into a probe every 24.8 days that is never given up on', () => {
    // ssh2 reads 0 as "use my own 15 s", so 0 cannot be passed through.
    expect(keepaliveServerOptions({ intervalMs: 0, countMax: 3 })).to.deep.equal({
      keepaliveInterval: 2 ** 31 - 1,
      keepaliveCountMax: Number.MAX_SAFE_INTEGER,
    })
  })
})

describe('isKeepaliveTimeout', () => {
  it('recognises the error ssh2 emits when its keepalive gives up', () => {
    const err = Object.assign(new Error('Keepalive timeout'), { level: 'client-timeout' })
    expect(isKeepaliveTimeout(err)).to.equal(true)
  })

  it('takes any other error for what it is', () => {
    const socketError = Object.assign(new Error('read ECONNRESET'), { level: 'socket' })
    expect(isKeepaliveTimeout(socketError), 'socket error').to.equal(false)
    expect(isKeepaliveTimeout(new Error('Keepalive timeout')), 'no level').to.equal(false)
    expect(isKeepaliveTimeout({ level: 'client-timeout' }), 'not an Error').to.equal(false)
    expect(isKeepaliveTimeout(undefined), 'undefined').to.equal(false)
  })
})

describe('cutUnresponsive', () => {
  it('destroys the socket after a short grace for the DISCONNECT', async () => {
    const socket = new Socket()
    cutUnresponsive(socket)
    expect(socket.destroyed, 'at once').to.equal(false)
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(socket.destroyed, 'after the grace').to.equal(true)
  })
})
