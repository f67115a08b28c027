import { expect } from 'chai'

import { GATEWAY_FAILURE_STATUS, outcomeFor } from '../../../src/bridge/exit-status'

describe('outcomeFor', () => {
  it('passes every status from 0 to 255 through as exit-status', () => {
    for (let status = 0; status <= 255; status++) {
      expect(outcomeFor(status, false), String(status)).to.deep.equal({ status })
    }
  })

  it('reports -1, which LXD returns for a process it could not start, as 255', () => {
    expect(outcomeFor(-1, false)).to.deep.equal({ status: 255 })
    expect(outcomeFor(-1, true)).to.deep.equal({ status: 255 })
  })

  it('reports statuses above 255 as 255', () => {
    expect(outcomeFor(256, false), '256').to.deep.equal({ status: 255 })
    expect(outcomeFor(256 + 137, true), '393').to.deep.equal({ status: 255 })
    expect(outcomeFor(65536, false), '65536').to.deep.equal({ status: 255 })
  })

  it('reports statuses that are not whole numbers as 255', () => {
    for (const status of [1.5, NaN, Infinity, -Infinity]) {
      expect(outcomeFor(status, true), String(status)).to.deep.equal({ status: 255 })
    }
  })

  it('keeps 137 as exit-status 137 by default', () => {
    expect(outcomeFor(137, false)).to.deep.equal({ status: 137 })
  })

  it('turns 137 into exit-signal KILL when asked to send exit-signal', () => {
    expect(outcomeFor(137, true)).to.deep.equal({ signal: 'KILL', coreDumped: false })
  })

  it('turns other 128+n statuses into their signals when asked', () => {
    expect(outcomeFor(129, true), '129').to.deep.equal({ signal: 'HUP', coreDumped: false })
    expect(outcomeFor(130, true), '130').to.deep.equal({ signal: 'INT', coreDumped: false })
    expect(outcomeFor(139, true), '139').to.deep.equal({ signal: 'SEGV', coreDumped: false })
    expect(outcomeFor(143, true), '143').to.deep.equal({ signal: 'TERM', coreDumped: false })
    expect(outcomeFor(159, true), '159').to.deep.equal({ signal: 'SYS', coreDumped: false })
  })

  it('keeps statuses up to 128 as exit-status even when asked to send exit-signal', () => {
    for (const status of [0, 1, 2, 127, 128]) {
      expect(outcomeFor(status, true), String(status)).to.deep.equal({ status })
    }
  })

  it('keeps 128+n as exit-status when n is no signal', () => {
    for (const status of [160, 200, 255]) {
      expect(outcomeFor(status, true), String(status)).to.deep.equal({ status })
    }
  })
})

describe('GATEWAY_FAILURE_STATUS', () => {
  it('is 255, as OpenSSH\'s client uses for its own failures', () => {
    expect(GATEWAY_FAILURE_STATUS).to.equal(255)
  })
})
