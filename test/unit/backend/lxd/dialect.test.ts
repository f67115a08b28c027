import { expect } from 'chai'

import { detectDialect } from '../../../../src/backend/lxd/dialect'

function lxd(version: string) {
  return detectDialect({ environment: { server: 'lxd', server_version: version } })
}

describe('detectDialect', () => {
  describe('LXD', () => {
    it('describes LXD 5.0.2, which keeps the output open after exit', () => {
      expect(lxd('5.0.2')).to.deep.equal({
        kind: 'lxd',
        version: '5.0.2',
        endsOutputAfterExit: false,
        losesTerminalTail: true,
        fileHeaderPrefix: 'X-LXD-',
      })
    })

    it('describes LXD 5.0.3, where the fix landed on the LTS line', () => {
      expect(lxd('5.0.3')).to.deep.equal({
        kind: 'lxd',
        version: '5.0.3',
        endsOutputAfterExit: true,
        losesTerminalTail: false,
        fileHeaderPrefix: 'X-LXD-',
      })
    })

    it('ends output on later 5.0 point releases, comparing numbers not text', () => {
      expect(lxd('5.0.10').endsOutputAfterExit, '5.0.10').to.equal(true)
      expect(lxd('5.0.4').endsOutputAfterExit, '5.0.4').to.equal(true)
    })

    it('keeps output open on 5.0 and 5.0.0 to 5.0.2', () => {
      for (const version of ['5.0', '5.0.0', '5.0.1', '5.0.2']) {
        expect(lxd(version).endsOutputAfterExit, version).to.equal(false)
      }
    })

    it('keeps output open on the feature line up to 5.18', () => {
      for (const version of ['5.1', '5.9', '5.10', '5.18', '5.18.1']) {
        expect(lxd(version).endsOutputAfterExit, version).to.equal(false)
      }
    })

    it('ends output from 5.19 on the feature line', () => {
      for (const version of ['5.19', '5.20', '5.21.1', '5.21.3']) {
        expect(lxd(version).endsOutputAfterExit, version).to.equal(true)
      }
    })

    it('ends output on major versions after 5', () => {
      expect(lxd('6.0').endsOutputAfterExit, '6.0').to.equal(true)
      expect(lxd('6.1.0').endsOutputAfterExit, '6.1.0').to.equal(true)
    })

    it('keeps output open on major versions before 5', () => {
      expect(lxd('4.0.9').endsOutputAfterExit, '4.0.9').to.equal(false)
      expect(lxd('4.24').endsOutputAfterExit, '4.24').to.equal(false)
      expect(lxd('3.0.4').endsOutputAfterExit, '3.0.4').to.equal(false)
    })

    it('assumes the old behaviour for a version it cannot read', () => {
      for (const version of ['', 'unknown', 'x.y.z']) {
        expect(lxd(version).endsOutputAfterExit, JSON.stringify(version)).to.equal(false)
      }
    })

    it('takes a missing environment as LXD of unknown version', () => {
      expect(detectDialect({})).to.deep.equal({
        kind: 'lxd',
        version: '0',
        endsOutputAfterExit: false,
        losesTerminalTail: true,
        fileHeaderPrefix: 'X-LXD-',
      })
      expect(detectDialect({ environment: {} }), 'empty environment').to.deep.equal({
        kind: 'lxd',
        version: '0',
        endsOutputAfterExit: false,
        losesTerminalTail: true,
        fileHeaderPrefix: 'X-LXD-',
      })
    })
  })

  describe('Incus', () => {
    it('describes Incus, which always ends output after exit', () => {
      expect(detectDialect({ environment: { server: 'incus', server_version: '6.0.1' } }))
        .to.deep.equal({
          kind: 'incus',
          version: '6.0.1',
          endsOutputAfterExit: true,
          losesTerminalTail: false,
          fileHeaderPrefix: 'X-Incus-',
        })
    })

    it('ends output after exit whatever the Incus version', () => {
      for (const version of ['0.1', '0.6', '5.0.2', '']) {
        const dialect = detectDialect({ environment: { server: 'incus', server_version: version } })
        expect(dialect.endsOutputAfterExit, JSON.stringify(version)).to.equal(true)
        expect(dialect.fileHeaderPrefix, JSON.stringify(version)).to.equal('X-Incus-')
      }
    })

    it('reports version 0 for Incus without a version', () => {
      expect(detectDialect({ environment: { server: 'incus' } }).version).to.equal('0')
    })
  })
})
