import { expect } from 'chai'

import { decideKeyAuthentication } from '../../../src/ssh/auth'
import type { AuthDecision, Grant, KeyCandidates } from '../../../src/ssh/auth'
import { parseAuthorizedKeys } from '../../../src/ssh/authorized-keys'
import type { LoginTarget } from '../../../src/ssh/types'
import { makeKey, makeTempDir, removeDir } from '../helpers/keygen'
import type { GeneratedKey } from '../helpers/keygen'

type PublicKeyContext = Parameters<typeof decideKeyAuthentication>[0]

/** What ssh2 would have the client sign: stands in for session id + userauth request. */
const SIGNED = Buffer.from('execgate unit test: session id and USERAUTH_REQUEST fields')
const CLIENT = '192.0.2.10'

interface Offer {
  key: GeneratedKey
  /** The public key blob sent; the key's own unless a test tampers with it. */
  data?: Buffer
  signature?: Buffer
  blob?: Buffer
  hashAlgo?: string
}

function context(offer: Offer): PublicKeyContext {
  return {
    method: 'publickey',
    username: 'alice@web1',
    service: 'ssh-connection',
    key: { algo: offer.key.type, data: offer.data ?? offer.key.privateKey.getPublicSSH() },
    signature: offer.signature,
    blob: offer.blob,
    hashAlgo: offer.hashAlgo,
  } as unknown as PublicKeyContext
}

/** A request signed by the key's own private key, as an honest client sends it. */
function signed(key: GeneratedKey): Offer {
  return { key, blob: SIGNED, signature: key.privateKey.sign(SIGNED) }
}

function login(container: string, user?: string, project?: string): LoginTarget {
  const place = project === undefined ? container : `${container}.${project}`
  return { raw: user === undefined ? place : `${user}@${place}`, user, container, project }
}

/** authorized_keys text as one candidate source; a fixture line that is skipped fails the test. */
function source(lines: string[], from: Grant['source'] = 'authorized_keys'): KeyCandidates {
  const file = parseAuthorizedKeys(lines.join('\n'))
  expect(file.skipped, 'authorized keys fixture').to.deep.equal([])
  return { keys: file.keys, source: from }
}

function refused(reason: string): AuthDecision {
  return { action: 'refuse', reason }
}

describe('decideKeyAuthentication', function () {
  this.timeout(20000)

  let dir: string
  let alice: GeneratedKey
  let bob: GeneratedKey
  let stranger: GeneratedKey
  let rsa: GeneratedKey
  let gateway: KeyCandidates

  before(() => {
    dir = makeTempDir('auth')
    alice = makeKey(dir, 'alice', 'ed25519')
    bob = makeKey(dir, 'bob', 'ecdsa', ['-b', '256'])
    stranger = makeKey(dir, 'stranger', 'ed25519')
    rsa = makeKey(dir, 'rsa', 'rsa', ['-b', '2048'])
    gateway = source([alice.publicLine, bob.publicLine, rsa.publicLine])
  })

  after(() => removeDir(dir))

  function decide(
    offer: Offer,
    candidates: KeyCandidates[] = [gateway],
    target: LoginTarget = login('web1', 'alice'),
    address = CLIENT,
    defaultProject?: string,
  ): AuthDecision {
    return decideKeyAuthentication(context(offer), target, candidates, address, defaultProject)
  }

  function grantOf(decision: AuthDecision): Grant {
    if (decision.action !== 'accept') {
      throw new Error(`expected accept, got ${JSON.stringify(decision)}`)
    }
    return decision.grant
  }

  describe('keys and signatures', () => {
    it('refuses a key that is not authorized', () => {
      expect(decide({ key: stranger })).to.deep.equal(refused('key not authorized'))
      expect(decide(signed(stranger))).to.deep.equal(refused('key not authorized'))
    })

    it('refuses every key when no source holds any', () => {
      expect(decide(signed(alice), [])).to.deep.equal(refused('key not authorized'))
      expect(decide(signed(alice), [{ keys: [], source: 'container' }]))
        .to.deep.equal(refused('key not authorized'))
    })

    it('refuses an authorized key\'s blob with bytes appended', () => {
      const data = Buffer.concat([alice.privateKey.getPublicSSH(), Buffer.from([0])])
      expect(decide({ ...signed(alice), data })).to.deep.equal(refused('key not authorized'))
    })

    it('answers a key query without a signature with key-ok', () => {
      expect(decide({ key: alice })).to.deep.equal({ action: 'key-ok' })
    })

    it('accepts a good ed25519 signature with the key\'s type, fingerprint and source', () => {
      expect(decide(signed(alice))).to.deep.equal({
        action: 'accept',
        grant: {
          restrictions: { permitPty: true },
          keyType: 'ssh-ed25519',
          keyFingerprint: alice.fingerprint,
          source: 'authorized_keys',
        },
      })
    })

    it('accepts a good ecdsa signature', () => {
      const grant = grantOf(decide(signed(bob)))
      expect(grant.keyType).to.equal('ecdsa-sha2-nistp256')
      expect(grant.keyFingerprint).to.equal(bob.fingerprint)
    })

    it('accepts an rsa-sha2-512 signature verified with sha512', () => {
      const offer = { key: rsa, blob: SIGNED, hashAlgo: 'sha512',
        signature: rsa.privateKey.sign(SIGNED, 'sha512') }
      const grant = grantOf(decide(offer))
      expect(grant.keyType).to.equal('ssh-rsa')
      expect(grant.keyFingerprint).to.equal(rsa.fingerprint)
    })

    it('refuses an rsa signature made with another hash than the one announced', () => {
      const offer = { key: rsa, blob: SIGNED, hashAlgo: 'sha512',
        signature: rsa.privateKey.sign(SIGNED, 'sha256') }
      expect(decide(offer)).to.deep.equal(refused('bad signature'))
    })

    it('refuses a tampered signature', () => {
      const signature = Buffer.from(alice.privateKey.sign(SIGNED))
      signature[10] ^= 0x01
      const offer = { key: alice, blob: SIGNED, signature }
      expect(decide(offer)).to.deep.equal(refused('bad signature'))
    })

    it('refuses a signature over other data than the blob', () => {
      const offer = { ...signed(alice), blob: Buffer.from('other data') }
      expect(decide(offer)).to.deep.equal(refused('bad signature'))
    })

    it('refuses an authorized key offered with a signature from another key', () => {
      const offer = { ...signed(stranger), key: alice }
      expect(decide(offer)).to.deep.equal(refused('bad signature'))
    })

    it('treats an empty signature as a bad signature, not as a key query', () => {
      const offer = { key: alice, blob: SIGNED, signature: Buffer.alloc(0) }
      expect(decide(offer)).to.deep.equal(refused('bad signature'))
    })

    it('refuses a signature of random bytes', () => {
      const offer = { key: alice, blob: SIGNED, signature: Buffer.alloc(64, 7) }
      expect(decide(offer)).to.deep.equal(refused('bad signature'))
    })
  })

  describe('restrictions', () => {
    it('keeps a key with containers= to the containers it names', () => {
      const keys = [source([`containers="web1" ${alice.publicLine}`])]
      const reason = 'container "web2" not allowed for this key'
      expect(decide(signed(alice), keys, login('web2', 'alice'))).to.deep.equal(refused(reason))
      expect(decide({ key: alice }, keys, login('web2', 'alice'))).to.deep.equal(refused(reason))

      expect(decide({ key: alice }, keys, login('web1', 'alice'))).to.deep.equal({
        action: 'key-ok',
      })
      const grant = grantOf(decide(signed(alice), keys, login('web1', 'alice')))
      expect(grant.restrictions).to.deep.equal({ permitPty: true, containers: ['web1'] })
    })

    it('applies the configured default project to a containers= pattern without one', () => {
      const keys = [source([`containers="web-*" ${alice.publicLine}`])]
      const inProd = login('web-1', 'alice', 'prod')
      expect(decide(signed(alice), keys, inProd, CLIENT, 'prod').action).to.equal('accept')
      expect(decide(signed(alice), keys, login('web-1', 'alice'), CLIENT, 'prod').action)
        .to.equal('accept')
      expect(decide({ key: alice }, keys, inProd).action).to.equal('refuse')
      expect(decide({ key: alice }, keys, login('web-1', 'alice', 'default'), CLIENT, 'prod'))
        .to.deep.equal(refused('container "web-1" not allowed for this key'))
    })

    it('keeps a key with users= to the users it names', () => {
      const keys = [source([`users="alice,deploy" ${alice.publicLine}`])]
      const reason = 'user "root" not allowed for this key'
      expect(decide(signed(alice), keys, login('web1', 'root'))).to.deep.equal(refused(reason))
      expect(decide({ key: alice }, keys, login('web1', 'root'))).to.deep.equal(refused(reason))

      expect(decide({ key: alice }, keys, login('web1', 'deploy')).action).to.equal('key-ok')
      expect(decide(signed(alice), keys, login('web1', 'deploy')).action).to.equal('accept')
    })

    it('keeps a key with from= to the addresses it names', () => {
      const keys = [source([`from="10.0.0.0/8,!10.0.0.66" ${alice.publicLine}`])]
      const reason = `address ${CLIENT} not allowed by from=`
      expect(decide(signed(alice), keys)).to.deep.equal(refused(reason))
      expect(decide({ key: alice }, keys)).to.deep.equal(refused(reason))
      expect(decide({ key: alice }, keys, undefined, '10.0.0.66').action).to.equal('refuse')

      expect(decide({ key: alice }, keys, undefined, '10.1.2.3').action).to.equal('key-ok')
      expect(decide(signed(alice), keys, undefined, '10.1.2.3').action).to.equal('accept')
    })

    it('reads an IPv4 client on a dual-stack socket against IPv4 from= patterns', () => {
      const keys = [source([`from="10.0.0.0/8" ${alice.publicLine}`])]
      expect(decide(signed(alice), keys, undefined, '::ffff:10.1.2.3').action).to.equal('accept')
      expect(decide({ key: alice }, keys, undefined, '::ffff:192.0.2.10')).to.deep.equal(
        refused('address ::ffff:192.0.2.10 not allowed by from='))
    })

    it('checks the restrictions before the signature', () => {
      const keys = [source([`containers="web1" ${alice.publicLine}`])]
      const offer = { ...signed(stranger), key: alice }
      expect(decide(offer, keys, login('web2'))).to.deep.equal(
        refused('container "web2" not allowed for this key'))
    })

    it('hands the key\'s other options on in the grant', () => {
      const keys = [source([`restrict,command="uptime" ${alice.publicLine}`])]
      expect(grantOf(decide(signed(alice), keys)).restrictions).to.deep.equal({
        permitPty: false,
        command: 'uptime',
      })
    })
  })

  describe('the same key in several places', () => {
    it('takes the first entry that permits the login, with its options', () => {
      const file = source([`containers="web1",command="uptime" ${alice.publicLine}`])
      const container = source([alice.publicLine], 'container')

      const web1 = grantOf(decide(signed(alice), [file, container], login('web1', 'alice')))
      expect(web1.source).to.equal('authorized_keys')
      expect(web1.restrictions.command).to.equal('uptime')

      const web2 = grantOf(decide(signed(alice), [file, container], login('web2', 'alice')))
      expect(web2.source).to.equal('container')
      expect(web2.restrictions).to.deep.equal({ permitPty: true })
      expect(web2.keyFingerprint).to.equal(alice.fingerprint)
    })

    it('lets an earlier permitting entry decide even when a later one allows more', () => {
      const file = source([`restrict ${alice.publicLine}`])
      const container = source([alice.publicLine], 'container')
      const grant = grantOf(decide(signed(alice), [file, container]))
      expect(grant.source).to.equal('authorized_keys')
      expect(grant.restrictions.permitPty).to.equal(false)
    })

    it('answers a query with key-ok when a later entry permits the login', () => {
      const file = source([`users="root" ${alice.publicLine}`])
      const container = source([alice.publicLine], 'container')
      expect(decide({ key: alice }, [file, container])).to.deep.equal({ action: 'key-ok' })
      expect(decide({ key: alice }, [file])).to.deep.equal(
        refused('user "alice" not allowed for this key'))
    })

    it('reads two lines of one file in order too', () => {
      const file = source([
        `containers="db1" ${alice.publicLine}`,
        `from="10.0.0.0/8",no-pty ${alice.publicLine}`,
      ])
      const grant = grantOf(decide(signed(alice), [file], undefined, '10.0.0.1'))
      expect(grant.restrictions).to.deep.equal({ permitPty: false, from: ['10.0.0.0/8'] })
    })

    it('gives the first entry\'s reason when no entry permits the login', () => {
      const file = source([`containers="db1" ${alice.publicLine}`])
      const container = source([`from="10.0.0.0/8" ${alice.publicLine}`], 'container')
      expect(decide(signed(alice), [file, container])).to.deep.equal(
        refused('container "web1" not allowed for this key'))
    })

    it('reports the source that held the key', () => {
      const file = source([bob.publicLine])
      const container = source([alice.publicLine], 'container')
      expect(grantOf(decide(signed(alice), [file, container])).source).to.equal('container')
      expect(grantOf(decide(signed(bob), [file, container])).source).to.equal('authorized_keys')
    })
  })
})
