import { expect } from 'chai'

import { IdleTracker, idleSampleStep } from '../../../src/bridge/idle-tracker'

describe('IdleTracker', () => {
  it('counts idle time from its creation while the byte count stands still', () => {
    const tracker = new IdleTracker(1000, 0, 10_000)
    expect(tracker.remainingMs(0, 10_000), 'at once').to.equal(1000)
    expect(tracker.remainingMs(0, 10_400), 'after 400 ms').to.equal(600)
    expect(tracker.remainingMs(0, 11_000), 'after 1000 ms').to.equal(0)
    expect(tracker.remainingMs(0, 15_000), 'long after').to.equal(0)
  })

  it('starts again from the sample that first sees new bytes', () => {
    const tracker = new IdleTracker(1000, 5, 0)
    expect(tracker.remainingMs(6, 900), 'a byte moved').to.equal(1000)
    expect(tracker.remainingMs(6, 1500), 'still since then').to.equal(400)
    expect(tracker.remainingMs(6, 1900), 'idle from 900').to.equal(0)
  })

  it('takes any change of the count as movement, in either direction', () => {
    const tracker = new IdleTracker(100, 50, 0)
    expect(tracker.remainingMs(10, 80)).to.equal(100)
  })

  it('never ends a session early when bytes moved just before a late sample', () => {
    const tracker = new IdleTracker(1000, 0, 0)
    // The bytes may have moved at 999 or at 1: either way the session is not idle at 1000.
    expect(tracker.remainingMs(1, 1000)).to.equal(1000)
  })
})

describe('idleSampleStep', () => {
  it('samples at a twentieth of the idle time', () => {
    expect(idleSampleStep(1500), '1.5 s').to.equal(75)
    expect(idleSampleStep(60_000), '60 s').to.equal(3000)
  })

  it('samples no more often than every 50 ms', () => {
    expect(idleSampleStep(1)).to.equal(50)
    expect(idleSampleStep(200)).to.equal(50)
  })

  it('samples at least every 5 s, however long the idle time', () => {
    expect(idleSampleStep(300_000)).to.equal(5000)
    expect(idleSampleStep(2 ** 31 - 1)).to.equal(5000)
  })
})
