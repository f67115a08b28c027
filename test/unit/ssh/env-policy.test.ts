import { expect } from 'chai'

import { acceptsEnv, MAX_ENV_VARIABLES } from '../../../src/ssh/env-policy'

const DEFAULT = ['LANG', 'LC_*']

describe('acceptsEnv', () => {
  it('accepts a name listed exactly', () => {
    expect(acceptsEnv(DEFAULT, 'LANG', 'en_US.UTF-8')).to.equal(true)
  })

  it('refuses a name that only starts like a listed one', () => {
    expect(acceptsEnv(DEFAULT, 'LANGUAGE', 'en'), 'LANGUAGE').to.equal(false)
    expect(acceptsEnv(DEFAULT, 'XLANG', 'en'), 'XLANG').to.equal(false)
  })

  it('matches * against any run of characters, including none', () => {
    expect(acceptsEnv(DEFAULT, 'LC_ALL', 'C'), 'LC_ALL').to.equal(true)
    expect(acceptsEnv(DEFAULT, 'LC_MESSAGES', 'C'), 'LC_MESSAGES').to.equal(true)
    expect(acceptsEnv(DEFAULT, 'LC_', 'C'), 'LC_').to.equal(true)
    expect(acceptsEnv(DEFAULT, 'XLC_ALL', 'C'), 'XLC_ALL').to.equal(false)
  })

  it('matches ? against exactly one character', () => {
    expect(acceptsEnv(['LC_?'], 'LC_A', 'x'), 'one').to.equal(true)
    expect(acceptsEnv(['LC_?'], 'LC_', 'x'), 'none').to.equal(false)
    expect(acceptsEnv(['LC_?'], 'LC_AB', 'x'), 'two').to.equal(false)
  })

  it('matches * in the middle of a pattern', () => {
    expect(acceptsEnv(['GIT_*_NAME'], 'GIT_AUTHOR_NAME', 'a'), 'match').to.equal(true)
    expect(acceptsEnv(['GIT_*_NAME'], 'GIT_AUTHOR_EMAIL', 'a'), 'no match').to.equal(false)
  })

  it('compares names case-sensitively, as sshd does', () => {
    expect(acceptsEnv(DEFAULT, 'lang', 'en')).to.equal(false)
    expect(acceptsEnv(DEFAULT, 'lc_all', 'C')).to.equal(false)
  })

  it('accepts every well-formed name with the pattern *', () => {
    expect(acceptsEnv(['*'], 'ANYTHING', 'v'), 'ANYTHING').to.equal(true)
    expect(acceptsEnv(['*'], '_x9', 'v'), '_x9').to.equal(true)
  })

  it('refuses everything with no patterns', () => {
    expect(acceptsEnv([], 'LANG', 'C')).to.equal(false)
  })

  it('treats regular-expression characters in a pattern literally', () => {
    expect(acceptsEnv(['A+'], 'AA', 'v'), 'A+').to.equal(false)
    expect(acceptsEnv(['A.C'], 'ABC', 'v'), 'A.C').to.equal(false)
    expect(acceptsEnv(['(A|B)'], 'A', 'v'), '(A|B)').to.equal(false)
    expect(acceptsEnv(['[AB]'], 'A', 'v'), '[AB]').to.equal(false)
    expect(acceptsEnv(['A$|.*'], 'B', 'v'), 'A$|.*').to.equal(false)
  })

  it('does not throw on a pattern that is not a valid regular expression', () => {
    expect(acceptsEnv(['LC_(', '[', '\\'], 'LC_ALL', 'C')).to.equal(false)
  })

  it('refuses names with characters an environment name cannot hold, even with *', () => {
    for (const name of ['', 'A B', 'A-B', 'A=B', 'LC.ALL', '1LANG', 'L\u00c4NG', 'LANG\n',
      'LANG\0', '$LANG', 'LANG;id']) {
      expect(acceptsEnv(['*'], name, 'v'), JSON.stringify(name)).to.equal(false)
    }
  })

  it('refuses a value that holds a NUL byte', () => {
    expect(acceptsEnv(DEFAULT, 'LANG', 'C\0LD_PRELOAD=/tmp/x.so')).to.equal(false)
  })

  it('accepts an empty value and values with newlines or non-ASCII text', () => {
    expect(acceptsEnv(DEFAULT, 'LANG', ''), 'empty').to.equal(true)
    expect(acceptsEnv(DEFAULT, 'LANG', 'a\nb'), 'newline').to.equal(true)
    expect(acceptsEnv(DEFAULT, 'LANG', 'd\u00e9j\u00e0'), 'non-ASCII').to.equal(true)
  })

  it('accepts a name and value of 64 KiB together and refuses one more character', () => {
    const limit = 64 * 1024
    expect(acceptsEnv(DEFAULT, 'LANG', 'v'.repeat(limit - 4)), 'at limit').to.equal(true)
    expect(acceptsEnv(DEFAULT, 'LANG', 'v'.repeat(limit - 3)), 'over limit').to.equal(false)
  })

  it('refuses a well-formed name that is too long on its own', () => {
    expect(acceptsEnv(['*'], `A${'B'.repeat(64 * 1024)}`, '')).to.equal(false)
  })
})

describe('MAX_ENV_VARIABLES', () => {
  it('caps a session at 128 variables', () => {
    expect(MAX_ENV_VARIABLES).to.equal(128)
  })
})
