import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { parseAuthorizedKeys, readAuthorizedKeys } from '../../../src/ssh/authorized-keys'
import type { AuthorizedKeysFile } from '../../../src/ssh/authorized-keys'
import { makeKey, makeTempDir, removeDir } from '../helpers/keygen'
import type { GeneratedKey } from '../helpers/keygen'

/** The parts of a result that can be compared with deep equality. */
function summary(file: AuthorizedKeysFile) {
  return {
    keys: file.keys.map((key) => ({
      line: key.line,
      type: key.key.type,
      fingerprint: key.fingerprint,
      options: [...key.options],
    })),
    skipped: file.skipped,
  }
}

describe('parseAuthorizedKeys', function () {
  this.timeout(20000)

  let dir: string
  let ed25519: GeneratedKey
  let rsa: GeneratedKey
  let ecdsa: GeneratedKey

  before(() => {
    dir = makeTempDir('authorized-keys')
    ed25519 = makeKey(dir, 'ed', 'ed25519')
    rsa = makeKey(dir, 'rsa', 'rsa', ['-b', '2048'])
    ecdsa = makeKey(dir, 'ec', 'ecdsa', ['-b', '256'])
  })

  after(() => removeDir(dir))

  describe('key lines', () => {
    it('parses an ed25519 line with the fingerprint ssh-keygen -lf prints', () => {
      const file = parseAuthorizedKeys(`${ed25519.publicLine}\n`)
      expect(summary(file)).to.deep.equal({
        keys: [{ line: 1, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] }],
        skipped: [],
      })
    })

    it('parses rsa and ecdsa lines with their ssh-keygen fingerprints', () => {
      const file = parseAuthorizedKeys(`${rsa.publicLine}\n${ecdsa.publicLine}\n`)
      expect(summary(file)).to.deep.equal({
        keys: [
          { line: 1, type: 'ssh-rsa', fingerprint: rsa.fingerprint, options: [] },
          { line: 2, type: 'ecdsa-sha2-nistp256', fingerprint: ecdsa.fingerprint, options: [] },
        ],
        skipped: [],
      })
    })

    it('keeps the wire blob, which is the base64 field decoded', () => {
      const [key] = parseAuthorizedKeys(ed25519.publicLine).keys
      expect(key.blob.equals(Buffer.from(ed25519.base64, 'base64'))).to.equal(true)
      expect(key.blob.equals(ed25519.privateKey.getPublicSSH()), 'same as private').to.equal(true)
    })

    it('parses a line without a comment', () => {
      const file = parseAuthorizedKeys(`${ed25519.type} ${ed25519.base64}`)
      expect(summary(file).keys).to.deep.equal([
        { line: 1, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] },
      ])
    })

    it('parses a comment with spaces in it', () => {
      const file = parseAuthorizedKeys(`${ed25519.type} ${ed25519.base64} Alice Doe <a@b> #2`)
      expect(file.keys.map((key) => key.fingerprint)).to.deep.equal([ed25519.fingerprint])
      expect(file.skipped).to.deep.equal([])
    })

    it('accepts tabs and runs of spaces between the fields, and leading whitespace', () => {
      const file = parseAuthorizedKeys(`  \t${ed25519.type}\t \t${ed25519.base64}   comment  `)
      expect(summary(file).keys).to.deep.equal([
        { line: 1, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] },
      ])
    })

    it('reads CRLF line endings', () => {
      const file = parseAuthorizedKeys(`${ed25519.publicLine}\r\n${rsa.publicLine}\r\n`)
      expect(summary(file)).to.deep.equal({
        keys: [
          { line: 1, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] },
          { line: 2, type: 'ssh-rsa', fingerprint: rsa.fingerprint, options: [] },
        ],
        skipped: [],
      })
    })
  })

  describe('comments and blank lines', () => {
    it('ignores them without reporting them, and still counts them as lines', () => {
      const text = [
        '# keys for the ops team',
        '',
        ed25519.publicLine,
        '   ',
        '\t# indented comment',
        rsa.publicLine,
        '#ssh-ed25519 commented-out-key',
        '',
      ].join('\n')
      expect(summary(parseAuthorizedKeys(text))).to.deep.equal({
        keys: [
          { line: 3, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] },
          { line: 6, type: 'ssh-rsa', fingerprint: rsa.fingerprint, options: [] },
        ],
        skipped: [],
      })
    })

    it('returns nothing for empty text', () => {
      expect(parseAuthorizedKeys('')).to.deep.equal({ keys: [], skipped: [] })
    })
  })

  describe('options', () => {
    it('reads bare flags as true', () => {
      const [key] = parseAuthorizedKeys(`no-pty,no-agent-forwarding ${ed25519.publicLine}`).keys
      expect([...key.options]).to.deep.equal([['no-pty', true], ['no-agent-forwarding', true]])
    })

    it('keeps commas inside quoted values', () => {
      const line = `command="echo a,b",no-pty,from="10.0.0.1,10.0.0.2" ${ed25519.publicLine}`
      const file = parseAuthorizedKeys(line)
      expect(summary(file)).to.deep.equal({
        keys: [{
          line: 1,
          type: 'ssh-ed25519',
          fingerprint: ed25519.fingerprint,
          options: [['command', 'echo a,b'], ['no-pty', true], ['from', '10.0.0.1,10.0.0.2']],
        }],
        skipped: [],
      })
    })

    it('keeps spaces inside quoted values', () => {
      const [key] = parseAuthorizedKeys(`command="echo hello  world" ${rsa.publicLine}`).keys
      expect([...key.options]).to.deep.equal([['command', 'echo hello  world']])
      expect(key.fingerprint).to.equal(rsa.fingerprint)
    })

    it('unescapes \\" inside quoted values', () => {
      const [key] = parseAuthorizedKeys(`command="echo \\"hi\\"" ${ed25519.publicLine}`).keys
      expect(key.options.get('command')).to.equal('echo "hi"')
    })

    it('lower-cases option names, as OpenSSH matches them', () => {
      const [key] = parseAuthorizedKeys(`NO-PTY,Restrict ${ed25519.publicLine}`).keys
      expect([...key.options.keys()]).to.deep.equal(['no-pty', 'restrict'])
    })

    it('keeps an empty quoted value as an empty string', () => {
      const [key] = parseAuthorizedKeys(`command="" ${ed25519.publicLine}`).keys
      expect([...key.options]).to.deep.equal([['command', '']])
    })

    it('reports a key line with options under its own line number', () => {
      const text = `${ed25519.publicLine}\nrestrict ${rsa.publicLine}\n`
      expect(summary(parseAuthorizedKeys(text)).keys).to.deep.equal([
        { line: 1, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] },
        { line: 2, type: 'ssh-rsa', fingerprint: rsa.fingerprint, options: [['restrict', true]] },
      ])
    })
  })

  describe('lines that are not keys', () => {
    it('reports words that are not a key type as no key found', () => {
      expect(parseAuthorizedKeys('hello world')).to.deep.equal({
        keys: [],
        skipped: [{ line: 1, reason: 'no key found' }],
      })
    })

    it('reports a key type without key data as no key found', () => {
      expect(parseAuthorizedKeys('ssh-ed25519').skipped).to.deep.equal([
        { line: 1, reason: 'no key found' },
      ])
    })

    it('reports options without a key as no key found', () => {
      expect(parseAuthorizedKeys('no-pty,command="true"').skipped).to.deep.equal([
        { line: 1, reason: 'no key found' },
      ])
    })

    it('reports a private key pasted in by mistake as no key found', () => {
      expect(parseAuthorizedKeys('-----BEGIN OPENSSH PRIVATE KEY-----').skipped).to.deep.equal([
        { line: 1, reason: 'no key found' },
      ])
    })

    it('reports key data that does not decode with the parser\'s reason', () => {
      expect(parseAuthorizedKeys('ssh-ed25519 AAAA comment').skipped, 'truncated').to.deep.equal([
        { line: 1, reason: 'Malformed OpenSSH public key' },
      ])
      expect(parseAuthorizedKeys('ssh-ed25519 !!notbase64!!').skipped, 'garbage').to.deep.equal([
        { line: 1, reason: 'Unsupported key format' },
      ])
    })

    it('reports key data whose type differs from the line\'s type', () => {
      const file = parseAuthorizedKeys(`ssh-rsa ${ed25519.base64} mislabelled`)
      expect(file).to.deep.equal({
        keys: [],
        skipped: [{ line: 1, reason: 'Malformed OpenSSH public key' }],
      })
    })

    it('reports an unclosed quote in the options as unbalanced quotes', () => {
      const file = parseAuthorizedKeys(`command="echo hi ${ed25519.publicLine}`)
      expect(file).to.deep.equal({
        keys: [],
        skipped: [{ line: 1, reason: 'unbalanced quotes in options' }],
      })
    })

    it('reports garbage lines with their numbers and keeps the good keys around them', () => {
      const text = [
        '# header',
        ed25519.publicLine,
        'garbage line here',
        '',
        'ssh-ed25519 AAAA',
        rsa.publicLine,
        'ssh-ed25519',
      ].join('\n')
      expect(summary(parseAuthorizedKeys(text))).to.deep.equal({
        keys: [
          { line: 2, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] },
          { line: 6, type: 'ssh-rsa', fingerprint: rsa.fingerprint, options: [] },
        ],
        skipped: [
          { line: 3, reason: 'no key found' },
          { line: 5, reason: 'Malformed OpenSSH public key' },
          { line: 7, reason: 'no key found' },
        ],
      })
    })

    it('gets through a 1 MB line of option-like garbage quickly', () => {
      const started = Date.now()
      const file = parseAuthorizedKeys(`${'a,'.repeat(512 * 1024)}x`)
      expect(file).to.deep.equal({ keys: [], skipped: [{ line: 1, reason: 'no key found' }] })
      expect(Date.now() - started, 'milliseconds').to.be.below(2000)
    })

    it('gets through a 1 MB unclosed quoted value quickly', () => {
      const started = Date.now()
      const file = parseAuthorizedKeys(`command="${'\\'.repeat(1024 * 1024 + 1)}`)
      expect(file.keys).to.deep.equal([])
      expect(file.skipped.map((entry) => entry.line)).to.deep.equal([1])
      expect(Date.now() - started, 'milliseconds').to.be.below(2000)
    })
  })
})

describe('readAuthorizedKeys', function () {
  this.timeout(20000)

  let dir: string
  let ed25519: GeneratedKey

  before(() => {
    dir = makeTempDir('read-authorized-keys')
    ed25519 = makeKey(dir, 'ed', 'ed25519')
  })

  after(() => removeDir(dir))

  it('reads and parses the file', () => {
    const path = join(dir, 'authorized_keys')
    writeFileSync(path, `# one key\n${ed25519.publicLine}\nnonsense\n`)
    expect(summary(readAuthorizedKeys(path))).to.deep.equal({
      keys: [{ line: 2, type: 'ssh-ed25519', fingerprint: ed25519.fingerprint, options: [] }],
      skipped: [{ line: 3, reason: 'no key found' }],
    })
  })

  it('throws AUTHORIZED_KEYS_UNREADABLE naming the file when it is missing', () => {
    const path = join(dir, 'missing_keys')
    let caught: unknown
    try {
      readAuthorizedKeys(path)
    } catch (err) {
      caught = err
    }
    expect(caught).to.be.instanceOf(GatewayError)
    const error = caught as GatewayError
    expect(error.code).to.equal(ErrorCode.AUTHORIZED_KEYS_UNREADABLE)
    expect(error.message).to.equal(
      `cannot read authorized keys "${path}": ENOENT: no such file or directory, open '${path}'`,
    )
    expect((error.cause as NodeJS.ErrnoException).code, 'cause').to.equal('ENOENT')
  })
})
