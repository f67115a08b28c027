import { expect } from 'chai'

import { LogThrottle } from '../../../src/log/throttle'

describe('LogThrottle', () => {
  it('lets the first line out, holds back repeats, and counts them in the next one', () => {
    let now = 1000
    const throttle = new LogThrottle(5000, () => now)

    expect(throttle.admit('env')).to.deep.equal({ heldBack: 0 })
    expect(throttle.admit('env')).to.equal(undefined)
    now += 4999
    expect(throttle.admit('env')).to.equal(undefined)
    now += 1
    expect(throttle.admit('env')).to.deep.equal({ heldBack: 2 })
    expect(throttle.admit('env')).to.equal(undefined)
  })

  it('keeps each key apart', () => {
    const throttle = new LogThrottle(5000, () => 0)
    expect(throttle.admit('env')).to.deep.equal({ heldBack: 0 })
    expect(throttle.admit('pty-req')).to.deep.equal({ heldBack: 0 })
    expect(throttle.admit('env')).to.equal(undefined)
  })
})
