import { expect } from 'chai'

import { exitStatusBucket } from '../../../src/metrics/exit-status'

describe('exitStatusBucket', () => {
  it('keeps the statuses that mean something of their own', () => {
    for (const status of [0, 126, 127, 128, 255]) {
      expect(exitStatusBucket(status), String(status)).to.equal(String(status))
    }
  })

  it('puts 1 to 125 in one range', () => {
    for (const status of [1, 2, 64, 125]) {
      expect(exitStatusBucket(status), String(status)).to.equal('1-125')
    }
  })

  it('names a death by a Linux signal', () => {
    expect(exitStatusBucket(129), 'HUP').to.equal('128+HUP')
    expect(exitStatusBucket(137), 'KILL').to.equal('128+KILL')
    expect(exitStatusBucket(143), 'TERM').to.equal('128+TERM')
    expect(exitStatusBucket(159), 'SYS').to.equal('128+SYS')
  })

  it('puts statuses above 128 that name no signal in one range', () => {
    for (const status of [160, 200, 254]) {
      expect(exitStatusBucket(status), String(status)).to.equal('129-254')
    }
  })

  it('counts what the client is sent for statuses outside 0..255', () => {
    for (const status of [-1, 256, 1.5, Number.NaN]) {
      expect(exitStatusBucket(status), String(status)).to.equal('255')
    }
  })

  it('has a bounded number of labels over every status', () => {
    const labels = new Set<string>()
    for (let status = -1; status <= 300; status++) labels.add(exitStatusBucket(status))
    expect(labels.size).to.be.at.most(40)
  })
})
