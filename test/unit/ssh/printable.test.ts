import { expect } from 'chai'

import { printable } from '../../../src/ssh/printable'

describe('printable', () => {
  it('keeps printable ASCII as it is', () => {
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
      .join('')
    expect(printable(ascii, 200)).to.equal(ascii)
  })

  it('replaces each control character with ?', () => {
    expect(printable('a\x00b\x07c\x1bd\x7fe\nf\rg\th')).to.equal('a?b?c?d?e?f?g?h')
  })

  it('replaces non-ASCII characters with ?', () => {
    expect(printable('gr\u00fc\u00dfe \u4e16')).to.equal('gr??e ?')
  })

  it('cuts text longer than 64 characters and marks the cut', () => {
    expect(printable('z'.repeat(65))).to.equal(`${'z'.repeat(64)}...`)
  })

  it('does not mark text of exactly 64 characters', () => {
    expect(printable('z'.repeat(64))).to.equal('z'.repeat(64))
  })

  it('takes another length limit', () => {
    expect(printable('abcdef', 3)).to.equal('abc...')
    expect(printable('abc', 3)).to.equal('abc')
  })

  it('returns an empty string for empty text', () => {
    expect(printable('')).to.equal('')
  })
})
