import { expect } from 'chai'

import { signalName, signalNumber } from '../../../src/bridge/signals'

/** RFC 4254 section 6.10's signal names, with their Linux numbers. */
const RFC_4254_SIGNALS: [string, number][] = [
  ['ABRT', 6], ['ALRM', 14], ['FPE', 8], ['HUP', 1], ['ILL', 4], ['INT', 2], ['KILL', 9],
  ['PIPE', 13], ['QUIT', 3], ['SEGV', 11], ['TERM', 15], ['USR1', 10], ['USR2', 12],
]

/** The other standard Linux signals, which library clients can also send. */
const OTHER_SIGNALS: [string, number][] = [
  ['BUS', 7], ['CHLD', 17], ['CONT', 18], ['STOP', 19], ['TSTP', 20], ['TTIN', 21],
  ['TTOU', 22], ['URG', 23], ['XCPU', 24], ['XFSZ', 25], ['VTALRM', 26], ['PROF', 27],
  ['WINCH', 28], ['IO', 29], ['PWR', 30], ['SYS', 31],
]

describe('signalNumber', () => {
  it('maps TERM to 15', () => {
    expect(signalNumber('TERM')).to.equal(15)
  })

  it('tolerates a SIG prefix', () => {
    expect(signalNumber('SIGINT')).to.equal(2)
    expect(signalNumber('SIGKILL')).to.equal(9)
  })

  it('maps all thirteen RFC 4254 names to their Linux numbers', () => {
    expect(RFC_4254_SIGNALS).to.have.length(13)
    for (const [name, number] of RFC_4254_SIGNALS) {
      expect(signalNumber(name), name).to.equal(number)
    }
  })

  it('maps the other standard Linux signals library clients may send', () => {
    for (const [name, number] of OTHER_SIGNALS) {
      expect(signalNumber(name), name).to.equal(number)
    }
  })

  it('maps TRAP, the POSIX signal 5, like the other standard signals', () => {
    expect(signalNumber('TRAP')).to.equal(5)
  })

  it('ignores case', () => {
    expect(signalNumber('term'), 'term').to.equal(15)
    expect(signalNumber('sigHup'), 'sigHup').to.equal(1)
  })

  it('returns undefined for unknown names', () => {
    const names = ['', 'SIG', 'FOO', 'SIGSIGTERM', 'TERM ', ' TERM', '15', 'RTMIN', 'KILL\0']
    for (const name of names) {
      expect(signalNumber(name), JSON.stringify(name)).to.equal(undefined)
    }
  })

  it('returns undefined for the names of Object.prototype members', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(signalNumber(name), name).to.equal(undefined)
    }
  })
})

describe('signalName', () => {
  it('maps numbers back to RFC 4254 names without SIG', () => {
    for (const [name, number] of RFC_4254_SIGNALS) {
      expect(signalName(number), String(number)).to.equal(name)
    }
  })

  it('maps other Linux numbers to their names', () => {
    expect(signalName(17), '17').to.equal('CHLD')
    expect(signalName(31), '31').to.equal('SYS')
  })

  it('is the inverse of signalNumber for every name', () => {
    for (const [name] of [...RFC_4254_SIGNALS, ...OTHER_SIGNALS]) {
      const number = signalNumber(name)
      expect(number, `${name} number`).to.be.a('number')
      expect(signalName(number as number), name).to.equal(name)
    }
  })

  it('returns undefined for numbers no signal has', () => {
    for (const number of [0, -1, 32, 64, 65, 1.5, NaN, Infinity]) {
      expect(signalName(number), String(number)).to.equal(undefined)
    }
  })
})
