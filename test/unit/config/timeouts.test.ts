import { expect } from 'chai'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { DEFAULT_TIMEOUTS } from '../../../src/config/timeouts'
import { validateConfig } from '../../../src/config/validate'

/** The CONFIG_INVALID message validateConfig throws for a `timeouts` section. */
function messageFor(timeouts: unknown): string {
  try {
    validateConfig({ timeouts })
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError)
    expect((err as GatewayError).code, 'code').to.equal(ErrorCode.CONFIG_INVALID)
    return (err as GatewayError).message
  }
  throw new Error(`expected ${JSON.stringify(timeouts)} to be refused`)
}

const DURATION_REFUSED = 'expected a whole number of milliseconds, 0 or more'

describe('timeouts config', () => {
  describe('defaults', () => {
    it('leaves idle and maximum length off, and probes every 15 s up to 3 times', () => {
      expect(DEFAULT_TIMEOUTS).to.deep.equal({
        idleMs: 0,
        maxSessionMs: 0,
        keepaliveIntervalMs: 15000,
        keepaliveCountMax: 3,
      })
    })

    it('fills a missing, empty or null section from the defaults', () => {
      expect(validateConfig({}).timeouts, 'missing').to.deep.equal(DEFAULT_TIMEOUTS)
      expect(validateConfig({ timeouts: {} }).timeouts, 'empty').to.deep.equal(DEFAULT_TIMEOUTS)
      expect(validateConfig({ timeouts: null }).timeouts, 'null').to.deep.equal(DEFAULT_TIMEOUTS)
    })

    it('treats a null field as left out', () => {
      const timeouts = { idleMs: null, keepaliveCountMax: null, maxSessionMs: 5 }
      expect(validateConfig({ timeouts }).timeouts).to.deep.equal({
        ...DEFAULT_TIMEOUTS,
        maxSessionMs: 5,
      })
    })

    it('returns a copy: a changed config does not change the next one', () => {
      validateConfig({}).timeouts.idleMs = 99
      expect(validateConfig({}).timeouts.idleMs).to.equal(0)
    })
  })

  describe('values', () => {
    it('takes every field from the input', () => {
      const timeouts = {
        idleMs: 300000,
        maxSessionMs: 28800000,
        keepaliveIntervalMs: 500,
        keepaliveCountMax: 2,
      }
      expect(validateConfig({ timeouts }).timeouts).to.deep.equal(timeouts)
    })

    it('accepts 0 for every duration, meaning off', () => {
      const timeouts = { idleMs: 0, maxSessionMs: 0, keepaliveIntervalMs: 0 }
      expect(validateConfig({ timeouts }).timeouts).to.deep.equal({
        ...timeouts,
        keepaliveCountMax: 3,
      })
    })

    it('accepts the longest timer Node can honour', () => {
      const longest = 2 ** 31 - 1
      expect(validateConfig({ timeouts: { maxSessionMs: longest } }).timeouts.maxSessionMs)
        .to.equal(longest)
    })
  })

  describe('errors', () => {
    it('refuses an unknown key with its path', () => {
      expect(messageFor({ idle: 5 })).to.equal('timeouts.idle: unknown key')
      expect(messageFor({ keepaliveCountMax: 2, clientAliveInterval: 1 }))
        .to.equal('timeouts.clientAliveInterval: unknown key')
    })

    it('refuses a section that is not a mapping', () => {
      expect(messageFor(300)).to.equal('timeouts: expected a mapping')
      expect(messageFor([1, 2])).to.equal('timeouts: expected a mapping')
    })

    it('refuses durations that are not whole milliseconds, 0 or more', () => {
      for (const field of ['idleMs', 'maxSessionMs', 'keepaliveIntervalMs']) {
        for (const value of [-1, 1.5, '300', true]) {
          expect(messageFor({ [field]: value }), `${field}: ${JSON.stringify(value)}`)
            .to.equal(`timeouts.${field}: ${DURATION_REFUSED}`)
        }
      }
    })

    it('refuses durations that Node\'s timers would cut to 1 ms', () => {
      expect(messageFor({ idleMs: 2 ** 31 })).to.equal(
        `timeouts.idleMs: at most ${2 ** 31 - 1} milliseconds`,
      )
    })

    it('refuses a keepaliveCountMax below 1 or not whole', () => {
      for (const value of [0, -3, 2.5, '3']) {
        expect(messageFor({ keepaliveCountMax: value }), JSON.stringify(value)).to.equal(
          'timeouts.keepaliveCountMax: expected a whole number from 1 to 1000000',
        )
      }
    })
  })
})
