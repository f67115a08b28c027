import { expect } from 'chai'
import type { AuthContext } from 'ssh2'

import { decideAuthentication } from '../../../src/ssh/auth'
import { parseAuthorizedKeys } from '../../../src/ssh/authorized-keys'
import type { AuthorizedKey } from '../../../src/ssh/authorized-keys'
import { makeKey, makeTempDir, removeDir } from '../helpers/keygen'
import type { GeneratedKey } from '../helpers/keygen'

/** What ssh2 would have the client sign: stands in for session id + userauth request. */
const SIGNED = Buffer.from('execgate unit test: session id and USERAUTH_REQUEST fields')

interface Offer {
  username?: string
  key: GeneratedKey
  /** The public key blob sent; the key's own unless a test tampers with it. */
  data?: Buffer
  signature?: Buffer
  blob?: Buffer
  hashAlgo?: string
}

function publicKeyContext(offer: Offer): AuthContext {
  return {
    method: 'publickey',
    username: offer.username ?? 'alice@web1',
    service: 'ssh-connection',
    key: { algo: offer.key.type, data: offer.data ?? offer.key.privateKey.getPublicSSH() },
    signature: offer.signature,
    blob: offer.blob,
    hashAlgo: offer.hashAlgo,
  } as unknown as AuthContext
}

function otherContext(method: string, username = 'alice@web1'): AuthContext {
  return { method, username, service: 'ssh-connection' } as unknown as AuthContext
}

describe('decideAuthentication', function () {
  this.timeout(20000)

  let dir: string
  let alice: GeneratedKey
  let bob: GeneratedKey
  let stranger: GeneratedKey
  let rsa: GeneratedKey
  let keys: AuthorizedKey[]

  before(() => {
    dir = makeTempDir('auth')
    alice = makeKey(dir, 'alice', 'ed25519')
    bob = makeKey(dir, 'bob', 'ecdsa', ['-b', '256'])
    stranger = makeKey(dir, 'stranger', 'ed25519')
    rsa = makeKey(dir, 'rsa', 'rsa', ['-b', '2048'])
    const file = parseAuthorizedKeys([alice.publicLine, bob.publicLine, rsa.publicLine].join('\n'))
    expect(file.skipped, 'authorized keys fixture').to.deep.equal([])
    keys = file.keys
  })

  after(() => removeDir(dir))

  describe('methods', () => {
    it('refuses method none quietly, since OpenSSH opens with it', () => {
      expect(decideAuthentication(otherContext('none'), keys)).to.deep.equal({
        action: 'refuse',
        reason: 'method none',
        quiet: true,
      })
    })

    it('refuses password authentication', () => {
      const ctx = { ...otherContext('password'), password: 'hunter2' } as unknown as AuthContext
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'method password not offered',
        quiet: false,
      })
    })

    it('refuses keyboard-interactive authentication', () => {
      expect(decideAuthentication(otherContext('keyboard-interactive'), keys)).to.deep.equal({
        action: 'refuse',
        reason: 'method keyboard-interactive not offered',
        quiet: false,
      })
    })

    it('refuses hostbased authentication even with an authorized key and a good signature', () => {
      const ctx = {
        ...otherContext('hostbased'),
        key: { algo: alice.type, data: alice.privateKey.getPublicSSH() },
        blob: SIGNED,
        signature: alice.privateKey.sign(SIGNED),
        localHostname: 'client.example',
      } as unknown as AuthContext
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'method hostbased not offered',
        quiet: false,
      })
    })
  })

  describe('public keys', () => {
    it('refuses a key that is not authorized', () => {
      const ctx = publicKeyContext({ key: stranger })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'key not authorized',
        quiet: false,
      })
    })

    it('refuses every key when none is authorized', () => {
      const ctx = publicKeyContext({ key: alice })
      expect(decideAuthentication(ctx, [])).to.deep.equal({
        action: 'refuse',
        reason: 'key not authorized',
        quiet: false,
      })
    })

    it('refuses an authorized key\'s blob with bytes appended', () => {
      const data = Buffer.concat([alice.privateKey.getPublicSSH(), Buffer.from([0])])
      const ctx = publicKeyContext({ key: alice, data })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'key not authorized',
        quiet: false,
      })
    })

    it('answers a key query without a signature with key-ok', () => {
      const ctx = publicKeyContext({ key: alice })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({ action: 'key-ok' })
    })

    it('accepts a good ed25519 signature with the login and the matching key', () => {
      const ctx = publicKeyContext({
        username: 'root@web1.staging',
        key: alice,
        blob: SIGNED,
        signature: alice.privateKey.sign(SIGNED),
      })
      const decision = decideAuthentication(ctx, keys)
      expect(decision).to.deep.equal({
        action: 'accept',
        login: { raw: 'root@web1.staging', user: 'root', container: 'web1', project: 'staging' },
        key: keys[0],
      })
      if (decision.action === 'accept') expect(decision.key, 'same object').to.equal(keys[0])
    })

    it('accepts a good ecdsa signature', () => {
      const ctx = publicKeyContext({
        username: 'web2',
        key: bob,
        blob: SIGNED,
        signature: bob.privateKey.sign(SIGNED),
      })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'accept',
        login: { raw: 'web2', user: undefined, container: 'web2', project: undefined },
        key: keys[1],
      })
    })

    it('accepts an rsa-sha2-512 signature verified with sha512', () => {
      const ctx = publicKeyContext({
        key: rsa,
        blob: SIGNED,
        signature: rsa.privateKey.sign(SIGNED, 'sha512'),
        hashAlgo: 'sha512',
      })
      const decision = decideAuthentication(ctx, keys)
      expect(decision.action).to.equal('accept')
      if (decision.action === 'accept') expect(decision.key).to.equal(keys[2])
    })

    it('refuses an rsa signature made with another hash than the one announced', () => {
      const ctx = publicKeyContext({
        key: rsa,
        blob: SIGNED,
        signature: rsa.privateKey.sign(SIGNED, 'sha256'),
        hashAlgo: 'sha512',
      })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'bad signature',
        quiet: false,
      })
    })

    it('refuses a tampered signature', () => {
      const signature = Buffer.from(alice.privateKey.sign(SIGNED))
      signature[10] ^= 0x01
      const ctx = publicKeyContext({ key: alice, blob: SIGNED, signature })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'bad signature',
        quiet: false,
      })
    })

    it('refuses a signature over other data than the blob', () => {
      const ctx = publicKeyContext({
        key: alice,
        blob: Buffer.from('other data'),
        signature: alice.privateKey.sign(SIGNED),
      })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'bad signature',
        quiet: false,
      })
    })

    it('refuses an authorized key offered with a signature from another key', () => {
      const ctx = publicKeyContext({
        key: alice,
        blob: SIGNED,
        signature: stranger.privateKey.sign(SIGNED),
      })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'bad signature',
        quiet: false,
      })
    })

    it('treats an empty signature as a bad signature, not as a key query', () => {
      const ctx = publicKeyContext({ key: alice, blob: SIGNED, signature: Buffer.alloc(0) })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'bad signature',
        quiet: false,
      })
    })

    it('refuses a signature of random bytes', () => {
      const ctx = publicKeyContext({ key: alice, blob: SIGNED, signature: Buffer.alloc(64, 7) })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'bad signature',
        quiet: false,
      })
    })
  })

  describe('login names', () => {
    it('refuses a bad login name even with an authorized key and a good signature', () => {
      const ctx = publicKeyContext({
        username: 'alice@-web1',
        key: alice,
        blob: SIGNED,
        signature: alice.privateKey.sign(SIGNED),
      })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: '"-web1" is not a valid container name',
        quiet: false,
      })
    })

    it('refuses a bad login name on a key query before looking at the key', () => {
      const ctx = publicKeyContext({ username: 'x y@web1', key: stranger })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: '"x y" is not a valid user name',
        quiet: false,
      })
    })

    it('refuses a 10 KB login name by its length with control characters kept out', () => {
      const ctx = publicKeyContext({ username: '\x1b'.repeat(10 * 1024), key: alice })
      expect(decideAuthentication(ctx, keys)).to.deep.equal({
        action: 'refuse',
        reason: 'login name longer than 256 characters',
        quiet: false,
      })
    })
  })
})
