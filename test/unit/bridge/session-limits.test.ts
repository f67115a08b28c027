import { expect } from 'chai'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { SessionLimits, seconds } from '../../../src/bridge/session-limits'

/** What `reached` settled to within ms: its error, or 'pending'. */
async function outcomeWithin(limits: SessionLimits, ms: number): Promise<unknown> {
  const timeout = new Promise((resolve) => setTimeout(() => resolve('pending'), ms))
  return Promise.race([limits.reached.catch((err: unknown) => err), timeout])
}

describe('SessionLimits', () => {
  const running: SessionLimits[] = []
  const limitsFor = (idleMs: number, maxSessionMs: number, bytes: () => number = () => 0) => {
    const limits = new SessionLimits({ idleMs, maxSessionMs }, bytes)
    running.push(limits)
    return limits
  }

  afterEach(() => {
    for (const limits of running.splice(0)) limits.stop()
  })

  it('never settles with both limits off', async () => {
    const limits = limitsFor(0, 0)
    expect(await outcomeWithin(limits, 100)).to.equal('pending')
    expect(limits.hasExpired).to.equal(false)
  })

  it('rejects with SESSION_IDLE_TIMEOUT once no byte moved for idleMs', async () => {
    const startedAt = Date.now()
    const limits = limitsFor(120, 0)
    const err = await outcomeWithin(limits, 1000)
    const elapsed = Date.now() - startedAt

    expect(err).to.be.instanceOf(GatewayError)
    expect((err as GatewayError).code).to.equal(ErrorCode.SESSION_IDLE_TIMEOUT)
    expect((err as GatewayError).message)
      .to.equal('no data either way for 120 ms (timeouts.idleMs)')
    expect((err as GatewayError).userMessage).to.equal('session idle for 0.12 s, closing')
    expect(elapsed, 'ms until idle').to.be.within(115, 400)
    expect(limits.hasExpired).to.equal(true)
  })

  it('is not idle while bytes keep moving', async () => {
    let bytes = 0
    const mover = setInterval(() => (bytes += 1), 30)
    try {
      const limits = limitsFor(150, 0, () => bytes)
      expect(await outcomeWithin(limits, 500)).to.equal('pending')
    } finally {
      clearInterval(mover)
    }
  })

  it('rejects with SESSION_TIME_LIMIT at maxSessionMs, however busy', async () => {
    let bytes = 0
    const mover = setInterval(() => (bytes += 1), 20)
    try {
      const limits = limitsFor(500, 150, () => bytes)
      const err = await outcomeWithin(limits, 1000)
      expect((err as GatewayError).code).to.equal(ErrorCode.SESSION_TIME_LIMIT)
      expect((err as GatewayError).message)
        .to.equal('session ran for 150 ms (timeouts.maxSessionMs)')
      expect((err as GatewayError).userMessage)
        .to.equal('session reached its maximum length of 0.15 s, closing')
    } finally {
      clearInterval(mover)
    }
  })

  it('reports only the first limit that runs out', async () => {
    const limits = limitsFor(100, 130)
    const err = await outcomeWithin(limits, 1000)
    expect((err as GatewayError).code).to.equal(ErrorCode.SESSION_IDLE_TIMEOUT)
    expect(await outcomeWithin(limits, 100)).to.equal(err)
  })

  it('never settles once stopped', async () => {
    const limits = limitsFor(50, 60)
    limits.stop()
    expect(await outcomeWithin(limits, 200)).to.equal('pending')
    expect(limits.hasExpired).to.equal(false)
  })
})

describe('seconds', () => {
  it('writes whole seconds without decimals', () => {
    expect(seconds(300_000)).to.equal('300 s')
    expect(seconds(2000)).to.equal('2 s')
  })

  it('keeps the fraction the setting has, down to milliseconds', () => {
    expect(seconds(1500)).to.equal('1.5 s')
    expect(seconds(1)).to.equal('0.001 s')
    expect(seconds(90_250)).to.equal('90.25 s')
  })
})
