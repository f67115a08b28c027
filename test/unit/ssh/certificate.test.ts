import { expect } from 'chai'
import { readFileSync } from 'node:fs'

import { decideCertificate } from '../../../src/ssh/certificate'
import { FOREVER, parseCertificate } from '../../../src/ssh/certificate-format'
import { parseLogin } from '../../../src/ssh/login'
import { parseTrustedCAKeys } from '../../../src/ssh/trusted-ca-keys'
import type { AuthDecision, Grant } from '../../../src/ssh/auth'
import type { Certificate } from '../../../src/ssh/certificate-format'
import type { TrustedCAKey } from '../../../src/ssh/trusted-ca-keys'
import {
  certificateContext,
  flipByteIn,
  makeCertificate,
  sshSignature,
} from '../helpers/certificates'
import type { CertificateRequest, MadeCertificate } from '../helpers/certificates'
import { keygenFingerprint, makeKey, makeTempDir, removeDir } from '../helpers/keygen'
import type { GeneratedKey } from '../helpers/keygen'

/** Stands in for the session id and USERAUTH_REQUEST fields the client signs. */
const SIGNED = Buffer.from('execgate unit test: what the certificate holder signs')
const CLIENT = '127.0.0.1'

/** How a test offers a certificate. */
interface Offer {
  login?: string
  /** The announced key algorithm; the certificate's own type when absent. */
  algorithm?: string
  /** Who signs SIGNED, and with which algorithm; no signature at all when `signer` is null. */
  signer?: GeneratedKey | null
  signatureAlgorithm?: string
  address?: string
  nowMs?: number
}

describe('decideCertificate', function () {
  this.timeout(60000)

  let dir: string
  let ca: GeneratedKey
  let rsaCa: GeneratedKey
  let ecdsaCa: GeneratedKey
  let strangerCa: GeneratedKey
  let alice: GeneratedKey
  let mallory: GeneratedKey
  let trusted: TrustedCAKey[]

  before(() => {
    dir = makeTempDir('certificate')
    ca = makeKey(dir, 'ca', 'ed25519')
    rsaCa = makeKey(dir, 'rsa-ca', 'rsa', ['-b', '2048'])
    ecdsaCa = makeKey(dir, 'ecdsa-ca', 'ecdsa', ['-b', '384'])
    strangerCa = makeKey(dir, 'stranger-ca', 'ed25519')
    alice = makeKey(dir, 'alice', 'ed25519')
    mallory = makeKey(dir, 'mallory', 'ed25519')
    const file = parseTrustedCAKeys([ca, rsaCa, ecdsaCa].map((k) => k.publicLine).join('\n'))
    expect(file.skipped, 'trusted CA fixture').to.deep.equal([])
    trusted = file.keys
  })

  after(() => removeDir(dir))

  /** Certifies alice's key with the trusted ed25519 CA for root@c1 unless told otherwise. */
  function certify(request: CertificateRequest = {}, key = alice, by = ca): MadeCertificate {
    return makeCertificate(by, key, { principals: ['root@c1'], ...request })
  }

  function decide(certificate: MadeCertificate, offer: Offer = {}, blob = certificate.blob) {
    const login = parseLogin(offer.login ?? 'root@c1')
    if (!login.ok) throw new Error(login.reason)
    const algorithm = offer.algorithm ?? certificate.type
    const signer = offer.signer === undefined ? alice : offer.signer
    const signatureAlgorithm = offer.signatureAlgorithm ?? 'ssh-ed25519'
    const signed = signer === null ? undefined
      : { data: SIGNED, signature: sshSignature(signer, SIGNED, signatureAlgorithm) }
    const ctx = certificateContext(login.target.raw, algorithm, blob, signed)
    return decideCertificate(ctx, login.target, offer.address ?? CLIENT, trusted, offer.nowMs)
  }

  const refused = (reason: string): AuthDecision => ({ action: 'refuse', reason })

  function grantOf(decision: AuthDecision): Grant {
    if (decision.action !== 'accept') throw new Error(`not accepted: ${JSON.stringify(decision)}`)
    return decision.grant
  }

  function parsed(certificate: MadeCertificate): Certificate {
    const result = parseCertificate(certificate.blob)
    if (result instanceof Error) throw result
    return result
  }

  describe('accepting', () => {
    it('accepts a valid certificate with its key id, the key\'s fingerprint and type', () => {
      const certificate = certify({ id: 'alice-laptop', validity: '-5m:+1h' })
      expect(grantOf(decide(certificate))).to.deep.equal({
        restrictions: { permitPty: true },
        keyType: 'ssh-ed25519-cert-v01@openssh.com',
        keyFingerprint: keygenFingerprint(certificate.path).fingerprint,
        source: 'certificate',
        certificateId: 'alice-laptop',
      })
      expect(keygenFingerprint(certificate.path).fingerprint, 'certified key')
        .to.equal(alice.fingerprint)
    })

    it('answers a query without a signature with key-ok', () => {
      expect(decide(certify(), { signer: null })).to.deep.equal({ action: 'key-ok' })
    })

    it('accepts ECDSA certificates on each curve, signed by an RSA CA', () => {
      for (const bits of ['256', '384', '521']) {
        const key = makeKey(dir, `ecdsa-${bits}`, 'ecdsa', ['-b', bits])
        const certificate = certify({}, key, rsaCa)
        expect(certificate.type, 'type').to.equal(`ecdsa-sha2-nistp${bits}-cert-v01@openssh.com`)
        const offer = { signer: key, signatureAlgorithm: `ecdsa-sha2-nistp${bits}` }
        expect(decide(certificate, offer).action, `nistp${bits}`).to.equal('accept')
      }
    })

    it('accepts an RSA certificate announced as rsa-sha2-256 or rsa-sha2-512', () => {
      const key = makeKey(dir, 'rsa', 'rsa', ['-b', '2048'])
      const certificate = certify({}, key, ecdsaCa)
      for (const hash of ['256', '512']) {
        const offer = {
          algorithm: `rsa-sha2-${hash}-cert-v01@openssh.com`,
          signer: key,
          signatureAlgorithm: `rsa-sha2-${hash}`,
        }
        expect(decide(certificate, offer).action, `rsa-sha2-${hash}`).to.equal('accept')
      }
    })

    it('accepts a certificate that is valid forever', () => {
      const certificate = certify()
      expect(parsed(certificate).validBefore, 'valid before').to.equal(FOREVER)
      expect(decide(certificate).action).to.equal('accept')
    })
  })

  describe('validity', () => {
    it('refuses an expired certificate', () => {
      const decision = decide(certify({ validity: '-2h:-1h' }))
      expect(decision.action).to.equal('refuse')
      expect(decision).to.have.property('reason').that.matches(/^certificate expired \(at 20/)
    })

    it('refuses a certificate that is not yet valid', () => {
      const decision = decide(certify({ validity: '+1h:+2h' }))
      expect(decision).to.have.property('reason').that.matches(/^certificate not yet valid/)
    })

    it('counts valid_after in and valid_before out, to the second', () => {
      const certificate = certify({ validity: '-1h:+1h' })
      const { validAfter, validBefore } = parsed(certificate)
      const at = (seconds: bigint) => decide(certificate, { nowMs: Number(seconds) * 1000 })
      expect(at(validAfter).action, 'at valid_after').to.equal('accept')
      expect(at(validAfter - 1n).action, 'before valid_after').to.equal('refuse')
      expect(at(validBefore - 1n).action, 'before valid_before').to.equal('accept')
      expect(at(validBefore).action, 'at valid_before').to.equal('refuse')
    })
  })

  describe('principals', () => {
    it('refuses a login that no principal names', () => {
      expect(decide(certify({ principals: ['alice@c1'] }))).to.deep.equal(
        refused('no certificate principal matches login "root@c1"'))
    })

    it('matches the login name as sent, so c1 does not stand for root@c1', () => {
      const certificate = certify({ principals: ['c1'] })
      expect(decide(certificate, { login: 'c1' }).action, 'c1').to.equal('accept')
      expect(decide(certificate, { login: 'root@c1' }).action, 'root@c1').to.equal('refuse')
    })

    it('matches glob principals, execgate\'s extension', () => {
      const certificate = certify({ principals: ['*@web-*', 'deploy@*'] })
      const action = (login: string) => decide(certificate, { login }).action
      expect(action('alice@web-1'), 'alice@web-1').to.equal('accept')
      expect(action('deploy@db-1.team'), 'deploy@db-1.team').to.equal('accept')
      expect(action('alice@db-1'), 'alice@db-1').to.equal('refuse')
      expect(action('web-1'), 'web-1').to.equal('refuse')
    })

    it('refuses a certificate without principals, as sshd does', () => {
      expect(decide(certify({ principals: undefined }))).to.deep.equal(
        refused('certificate has no principals'))
    })
  })

  describe('authority', () => {
    it('refuses a certificate from a CA that is not trusted, naming its fingerprint', () => {
      expect(decide(certify({}, alice, strangerCa))).to.deep.equal(
        refused(`certificate signed by unknown CA ${strangerCa.fingerprint}`))
    })

    it('refuses a certificate changed after signing', () => {
      const certificate = certify({ id: 'forge-me' })
      const forged = flipByteIn(certificate.blob, 'forge-me')
      expect(decide(certificate, {}, forged)).to.deep.equal(refused('bad CA signature'))
    })

    it('refuses a CA signature made with ssh-rsa (SHA-1)', () => {
      const certificate = certify({ caAlgorithm: 'ssh-rsa' }, alice, rsaCa)
      expect(decide(certificate)).to.deep.equal(
        refused('bad CA signature: algorithm "ssh-rsa" (SHA-1) is not accepted'))
    })

    it('refuses a host certificate', () => {
      expect(decide(certify({ host: true }))).to.deep.equal(
        refused('host certificate offered for user authentication'))
    })

    it('refuses a truncated certificate', () => {
      const certificate = certify()
      const decision = decide(certificate, {}, certificate.blob.subarray(0, 120))
      expect(decision).to.have.property('reason').that.matches(/^malformed certificate: /)
    })
  })

  describe('options and extensions', () => {
    it('makes force-command the forced command', () => {
      const grant = grantOf(decide(certify({ options: ['force-command=echo forced'] })))
      expect(grant.restrictions.command).to.equal('echo forced')
    })

    it('enforces source-address against the client address', () => {
      const certificate = certify({ options: ['source-address=127.0.0.1/32,::1'] })
      const local = grantOf(decide(certificate))
      expect(local.restrictions.from, 'from').to.deep.equal(['127.0.0.1/32', '::1'])
      expect(decide(certificate, { address: '::ffff:127.0.0.1' }).action, 'mapped v4')
        .to.equal('accept')
      expect(decide(certificate, { address: '10.1.2.3' })).to.deep.equal(
        refused('address 10.1.2.3 not allowed by source-address'))
    })

    it('refuses an unknown critical option, as sshd does', () => {
      expect(decide(certify({ options: ['critical:verify-required'] }))).to.deep.equal(
        refused('unsupported critical option "verify-required"'))
    })

    it('gives no pty to a certificate without permit-pty', () => {
      const grant = grantOf(decide(certify({ options: ['no-pty'] })))
      expect(grant.restrictions.permitPty).to.equal(false)
    })

    it('ignores extensions it does not know', () => {
      const certificate = certify({ options: ['extension:custom@example.com=value'] })
      expect(decide(certificate).action).to.equal('accept')
    })
  })

  describe('the holder\'s signature', () => {
    it('refuses a signature by another key than the certified one', () => {
      expect(decide(certify(), { signer: mallory })).to.deep.equal(refused('bad signature'))
    })

    it('refuses a bare signature, as ssh2 hands it over when a client signs as the cert type',
      () => {
        const certificate = certify()
        const login = parseLogin('root@c1')
        if (!login.ok) throw new Error(login.reason)
        const bare = alice.privateKey.sign(SIGNED)
        const ctx = certificateContext('root@c1', certificate.type, certificate.blob,
          { data: SIGNED, signature: bare })
        expect(decideCertificate(ctx, login.target, CLIENT, trusted)).to.deep.equal(
          refused('bad signature: malformed signature'))
      })

    it('refuses a query for a certificate it would refuse anyway', () => {
      expect(decide(certify({ validity: '-2h:-1h' }), { signer: null }).action).to.equal('refuse')
    })

    it('refuses an RSA signature made with another algorithm than announced', () => {
      const key = makeKey(dir, 'rsa-mixed', 'rsa', ['-b', '2048'])
      const offer = {
        algorithm: 'rsa-sha2-512-cert-v01@openssh.com',
        signer: key,
        signatureAlgorithm: 'rsa-sha2-256',
      }
      expect(decide(certify({}, key), offer)).to.deep.equal(refused(
        'bad signature: algorithm "rsa-sha2-256" where "rsa-sha2-512" was announced'))
    })

    it('refuses ssh-rsa-cert-v01, which means SHA-1 signatures', () => {
      const key = makeKey(dir, 'rsa-sha1', 'rsa', ['-b', '2048'])
      const offer = { signer: key, signatureAlgorithm: 'ssh-rsa' }
      expect(decide(certify({}, key), offer)).to.deep.equal(refused(
        'key algorithm "ssh-rsa-cert-v01@openssh.com" is not accepted'))
    })

    it('refuses a certificate announced as another type', () => {
      const offer = { algorithm: 'ecdsa-sha2-nistp256-cert-v01@openssh.com' }
      expect(decide(certify(), offer)).to.deep.equal(refused(
        'certificate of type "ssh-ed25519-cert-v01@openssh.com" ' +
        'announced as "ecdsa-sha2-nistp256-cert-v01@openssh.com"'))
    })
  })
})

describe('parseTrustedCAKeys', function () {
  this.timeout(20000)

  let dir: string
  let ca: GeneratedKey

  before(() => {
    dir = makeTempDir('trusted-ca')
    ca = makeKey(dir, 'ca', 'ed25519')
  })

  after(() => removeDir(dir))

  it('reads key lines, skipping comments and blank lines, with their fingerprints', () => {
    const file = parseTrustedCAKeys(`# our CA\n\n${ca.publicLine}\n`)
    expect(file.skipped).to.deep.equal([])
    expect(file.keys.map((key) => [key.line, key.fingerprint])).to.deep.equal([
      [3, ca.fingerprint],
    ])
  })

  it('skips a certificate, a mislabelled key and garbage, saying why', () => {
    const user = makeKey(dir, 'user', 'ed25519')
    const certificate = makeCertificate(ca, user, { principals: ['x'] })
    const certificateLine = readFileSync(certificate.path, 'utf8').trim()
    const mislabelled = `ecdsa-sha2-nistp256 ${ca.base64}`
    const file = parseTrustedCAKeys([certificateLine, mislabelled, 'ssh-ed25519'].join('\n'))
    expect(file.keys).to.deep.equal([])
    expect(file.skipped).to.deep.equal([
      { line: 1, reason: 'a certificate is no CA key' },
      { line: 2, reason: 'line says "ecdsa-sha2-nistp256" but the key is "ssh-ed25519"' },
      { line: 3, reason: 'no key found' },
    ])
  })
})
