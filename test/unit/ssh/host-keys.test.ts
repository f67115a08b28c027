import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import {
  chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { utils } from 'ssh2'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { fingerprintOf, generateParsableKeyPair, loadHostKeys } from '../../../src/ssh/host-keys'
import type { HostKey } from '../../../src/ssh/host-keys'
import { keygenFingerprint, makeKey, makeTempDir, removeDir } from '../helpers/keygen'

const ED25519_FILE = 'ssh_host_ed25519_key'
const RSA_FILE = 'ssh_host_rsa_key'
const PUBLIC_LINE = /^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+=* execgate-host-key\n$/

function modeOf(path: string): number {
  return statSync(path).mode & 0o777
}

function thrownBy(action: () => unknown): GatewayError {
  try {
    action()
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError)
    return err as GatewayError
  }
  throw new Error('expected an error')
}

describe('loadHostKeys', function () {
  this.timeout(60000)

  let root: string
  let savedUmask: number
  /** Made once by the first test and reused, since RSA generation is slow. */
  let keysDir: string
  let first: HostKey[]

  before(() => {
    savedUmask = process.umask(0o022)
    root = makeTempDir('host-keys')
    keysDir = join(root, 'nested', 'keys')
    first = loadHostKeys(keysDir)
  })

  after(() => {
    process.umask(savedUmask)
    removeDir(root)
  })

  describe('on first start', () => {
    it('generates an ed25519 and an rsa key, in that order', () => {
      expect(first.map(({ type, file, generated }) => ({ type, file, generated }))).to.deep.equal([
        { type: 'ed25519', file: join(keysDir, ED25519_FILE), generated: true },
        { type: 'rsa', file: join(keysDir, RSA_FILE), generated: true },
      ])
    })

    it('creates the missing folder with mode 0700', () => {
      expect(modeOf(keysDir).toString(8)).to.equal('700')
    })

    it('writes the private keys with mode 0600 and the public keys with mode 0644', () => {
      for (const file of [ED25519_FILE, RSA_FILE]) {
        expect(modeOf(join(keysDir, file)).toString(8), file).to.equal('600')
        expect(modeOf(join(keysDir, `${file}.pub`)).toString(8), `${file}.pub`).to.equal('644')
      }
    })

    it('returns the private key bytes that are in the file', () => {
      for (const key of first) {
        expect(key.privateKey.equals(readFileSync(key.file)), key.type).to.equal(true)
      }
    })

    it('reports the fingerprints ssh-keygen -lf prints for the files', () => {
      const listed = first.map((key) => keygenFingerprint(key.file))
      expect(first.map((key) => key.fingerprint)).to.deep.equal(
        listed.map((entry) => entry.fingerprint),
      )
      expect(listed.map(({ bits, label }) => ({ bits, label }))).to.deep.equal([
        { bits: 256, label: 'ED25519' },
        { bits: 3072, label: 'RSA' },
      ])
    })

    it('writes .pub files that match the private keys, with a comment', () => {
      for (const key of first) {
        const line = readFileSync(`${key.file}.pub`, 'utf8')
        expect(line, key.type).to.match(PUBLIC_LINE)
        expect(keygenFingerprint(`${key.file}.pub`).fingerprint, key.type).to.equal(key.fingerprint)
      }
    })
  })

  describe('on later starts', () => {
    it('reuses the keys with the same fingerprints and bytes', () => {
      const second = loadHostKeys(keysDir)
      expect(second.map(({ type, file, fingerprint, generated }) =>
        ({ type, file, fingerprint, generated }))).to.deep.equal(
        first.map(({ type, file, fingerprint }) => ({ type, file, fingerprint, generated: false })),
      )
      second.forEach((key, index) => {
        expect(key.privateKey.equals(first[index].privateKey), key.type).to.equal(true)
      })
    })

    it('generates only the key that is missing', () => {
      const dir = join(root, 'only-ed25519')
      mkdirSync(dir, { mode: 0o700 })
      copyFileSync(join(keysDir, ED25519_FILE), join(dir, ED25519_FILE))
      chmodSync(join(dir, ED25519_FILE), 0o600)

      const keys = loadHostKeys(dir)
      expect(keys.map(({ type, generated }) => ({ type, generated }))).to.deep.equal([
        { type: 'ed25519', generated: false },
        { type: 'rsa', generated: true },
      ])
      expect(keys[0].fingerprint, 'ed25519 kept').to.equal(first[0].fingerprint)
      expect(keys[1].fingerprint, 'rsa is new').to.not.equal(first[1].fingerprint)
    })

    it('uses a key that ssh-keygen made', () => {
      const dir = join(root, 'from-ssh-keygen')
      mkdirSync(dir, { mode: 0o700 })
      const made = makeKey(dir, ED25519_FILE, 'ed25519')
      copyFileSync(join(keysDir, RSA_FILE), join(dir, RSA_FILE))
      chmodSync(join(dir, RSA_FILE), 0o600)

      const keys = loadHostKeys(dir)
      expect(keys[0]).to.include({ type: 'ed25519', generated: false })
      expect(keys[0].fingerprint).to.equal(made.fingerprint)
    })

    it('accepts a key that only its owner can read (0400)', () => {
      const dir = join(root, 'read-only')
      mkdirSync(dir, { mode: 0o700 })
      for (const file of [ED25519_FILE, RSA_FILE]) {
        copyFileSync(join(keysDir, file), join(dir, file))
        chmodSync(join(dir, file), 0o400)
      }
      expect(loadHostKeys(dir).map((key) => key.fingerprint)).to.deep.equal(
        first.map((key) => key.fingerprint),
      )
    })
  })

  describe('unsafe and unreadable keys', () => {
    function dirWith(name: string, file: string, mode: number, content?: string): string {
      const dir = join(root, name)
      mkdirSync(dir, { mode: 0o700 })
      const path = join(dir, file)
      if (content === undefined) copyFileSync(join(keysDir, file), path)
      else writeFileSync(path, content)
      chmodSync(path, mode)
      if (file === RSA_FILE) {
        copyFileSync(join(keysDir, ED25519_FILE), join(dir, ED25519_FILE))
        chmodSync(join(dir, ED25519_FILE), 0o600)
      }
      return dir
    }

    it('throws HOST_KEY_UNSAFE for a key chmod 0644', () => {
      const dir = dirWith('mode-0644', ED25519_FILE, 0o644)
      const path = join(dir, ED25519_FILE)
      const error = thrownBy(() => loadHostKeys(dir))
      expect(error.code).to.equal(ErrorCode.HOST_KEY_UNSAFE)
      expect(error.message).to.equal(
        `host key "${path}" has mode 0644; it must be readable by its owner only (chmod 600)`,
      )
    })

    it('throws HOST_KEY_UNSAFE for a key only its group can read (0640)', () => {
      const dir = dirWith('mode-0640', ED25519_FILE, 0o640)
      const error = thrownBy(() => loadHostKeys(dir))
      expect(error.code).to.equal(ErrorCode.HOST_KEY_UNSAFE)
      expect(error.message).to.equal(`host key "${join(dir, ED25519_FILE)}" has mode 0640; ` +
        'it must be readable by its owner only (chmod 600)')
    })

    it('throws HOST_KEY_UNSAFE for a key others can write but not read (0602)', () => {
      const dir = dirWith('mode-0602', ED25519_FILE, 0o602)
      const error = thrownBy(() => loadHostKeys(dir))
      expect(error.code).to.equal(ErrorCode.HOST_KEY_UNSAFE)
      expect(error.message).to.include('has mode 0602;')
    })

    it('throws HOST_KEY_UNSAFE for an unsafe rsa key next to a safe ed25519 key', () => {
      const dir = dirWith('rsa-0644', RSA_FILE, 0o644)
      const error = thrownBy(() => loadHostKeys(dir))
      expect(error.code).to.equal(ErrorCode.HOST_KEY_UNSAFE)
      expect(error.message).to.equal(`host key "${join(dir, RSA_FILE)}" has mode 0644; ` +
        'it must be readable by its owner only (chmod 600)')
    })

    it('does not loosen or rewrite an unsafe key', () => {
      const dir = dirWith('left-alone', ED25519_FILE, 0o644)
      const path = join(dir, ED25519_FILE)
      thrownBy(() => loadHostKeys(dir))
      expect(modeOf(path).toString(8), 'mode').to.equal('644')
      expect(readFileSync(path).equals(readFileSync(join(keysDir, ED25519_FILE))), 'bytes')
        .to.equal(true)
    })

    it('throws HOST_KEY_UNREADABLE naming the file for a key that does not parse', () => {
      const dir = dirWith('garbage', ED25519_FILE, 0o600, 'not a key\n')
      const error = thrownBy(() => loadHostKeys(dir))
      expect(error.code).to.equal(ErrorCode.HOST_KEY_UNREADABLE)
      expect(error.message).to.equal(
        `host key "${join(dir, ED25519_FILE)}": Unsupported key format`,
      )
    })

    it('throws HOST_KEY_UNREADABLE for a key with a passphrase', () => {
      const dir = join(root, 'encrypted')
      mkdirSync(dir, { mode: 0o700 })
      makeKeyWithPassphrase(dir)
      const error = thrownBy(() => loadHostKeys(dir))
      expect(error.code).to.equal(ErrorCode.HOST_KEY_UNREADABLE)
      expect(error.message).to.equal(`host key "${join(dir, ED25519_FILE)}": ` +
        'Encrypted private OpenSSH key detected, but no passphrase given')
    })
  })
})

describe('fingerprintOf', function () {
  this.timeout(20000)

  let dir: string

  before(() => {
    dir = makeTempDir('fingerprint')
  })

  after(() => removeDir(dir))

  it('prints SHA256: and unpadded base64, as ssh-keygen -l does', () => {
    for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
      const key = makeKey(dir, `key-${type}`, type)
      const fingerprint = fingerprintOf(Buffer.from(key.base64, 'base64'))
      expect(fingerprint, type).to.equal(key.fingerprint)
      expect(fingerprint, `${type} padding`).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/)
    }
  })

  it('hashes the bytes it is given', () => {
    // sha256("") is e3b0c442...b855, which is 47DEQpj8...uFU in base64.
    expect(fingerprintOf(Buffer.alloc(0))).to.equal(
      'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
    )
  })
})

function makeKeyWithPassphrase(dir: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f',
    join(dir, ED25519_FILE)])
  chmodSync(join(dir, ED25519_FILE), 0o600)
}

describe('generateParsableKeyPair', function () {
  this.timeout(30000)

  // ssh2's own generator fails its parser about once in 200 ed25519 keys; 2,000 keys would
  // meet such a key with near certainty if it were passed on.
  it('only returns ed25519 keys that ssh2 parses back', () => {
    for (let i = 0; i < 2000; i++) {
      const pair = generateParsableKeyPair('ed25519')
      expect(utils.parseKey(pair.private), `key ${i}`).to.not.be.instanceOf(Error)
    }
  })
})
