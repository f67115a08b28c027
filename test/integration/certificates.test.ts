import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, utils } from 'ssh2'
import type { ParsedKey, PublicKeyAuthMethod } from 'ssh2'

import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { runOk } from '../helpers/process'
import { runSsh } from '../helpers/ssh'
import { waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway, LogLine } from '../helpers/gateway'
import type { ClientKey } from '../helpers/keys'
import type { SshOptions } from '../helpers/ssh'

const DENIED = 'Permission denied (publickey)'
const AS_ROOT = { user: 'root@c1', command: 'true' }

/** A client key and the certificate ssh-keygen made for it. */
interface Certified {
  key: ClientKey
  /** `KEY-cert.pub`, where ssh also looks for it by itself. */
  certificatePath: string
}

/** What `ssh-keygen -s` is told. */
interface Signing {
  principals: string
  /** -V; forever when absent. */
  validity?: string
  /** -O options. */
  options?: string[]
  /** The CA that signs; the trusted one when absent. */
  by?: ClientKey
  id?: string
  /** The certified key's type, for ssh-keygen -t. @default ed25519 */
  keyType?: 'ed25519' | 'rsa' | 'ecdsa'
}

/** OpenSSH user certificates against TrustedUserCAKeys, with the real OpenSSH client. */
function describeCertificates(daemon: Daemon): void {
  describe(`certificates on ${daemon.name}`, function () {
    this.timeout(60000)
    let dir: string
    let gateway: Gateway
    let ca: ClientKey
    let strangerCa: ClientKey

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      dir = await mkdtemp(join(tmpdir(), 'execgate-certs-'))
      ca = await makeClientKey(dir, 'ca')
      strangerCa = await makeClientKey(dir, 'stranger-ca')
      const trusted = join(dir, 'trusted_user_ca_keys')
      await writeFile(trusted, `# the test CA\n${ca.publicLine}\n`)
      gateway = await startGateway({
        backend: daemon.socket,
        config: { auth: { trustedUserCAKeys: trusted } },
      })
    })

    after(async function () {
      this.timeout(30000)
      await gateway?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    let serial = 0
    async function certify(signing: Signing): Promise<Certified> {
      serial += 1
      const key = await makeKey(`user${serial}`, signing.keyType ?? 'ed25519')
      const options = (signing.options ?? []).flatMap((option) => ['-O', option])
      const validity = signing.validity ? ['-V', signing.validity] : []
      await runOk('ssh-keygen', ['-q', '-s', (signing.by ?? ca).path,
        '-I', signing.id ?? `cert${serial}`, '-n', signing.principals, ...validity, ...options,
        `${key.path}.pub`])
      return { key, certificatePath: `${key.path}-cert.pub` }
    }

    async function makeKey(name: string, type: string): Promise<ClientKey> {
      if (type === 'ed25519') return makeClientKey(dir, name)
      const path = join(dir, name)
      await runOk('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path])
      return { path, publicLine: (await readFile(`${path}.pub`, 'utf8')).trim() }
    }

    function sshWith(certified: Certified, options: SshOptions) {
      const args = ['-o', `CertificateFile=${certified.certificatePath}`, ...options.args ?? []]
      return runSsh({ port: gateway.port, keyPath: certified.key.path }, { ...options, args })
    }

    /** Runs `ssh`, which must be refused, then returns the auth_refused lines it caused. */
    async function refusalsOf(run: () => Promise<{ code: number | null; stderr: string }>) {
      const before = gateway.logs.length
      const result = await run()
      expect(result.code, 'exit status').to.equal(255)
      expect(result.stderr, 'stderr').to.include(DENIED)
      return linesAfter(before)
    }

    /**
     * The auth_refused lines logged since line `before`, read once that connection has closed:
     * the gateway's log arrives through a pipe, after the client has already seen the outcome.
     */
    async function linesAfter(before: number): Promise<LogLine[]> {
      const since = () => gateway.logs.slice(before)
      await waitFor('connection_closed', () =>
        since().find((line) => line.event === 'connection_closed'), 5000, 20)
      return since().filter((line) => line.event === 'auth_refused')
    }

    const reasons = (lines: LogLine[]) => lines.map((line) => String(line.reason))

    it('logs the trusted CA\'s fingerprint, and no key material, at start', async () => {
      const [loaded] = gateway.events('trusted_ca_keys_loaded')
      const fingerprint = (await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f',
        `${ca.path}.pub`])).split(' ')[1]
      expect(loaded, 'trusted_ca_keys_loaded').to.include({ count: 1 })
      expect(loaded.fingerprints, 'fingerprints').to.deep.equal([fingerprint])
      const base64 = ca.publicLine.split(' ')[1]
      expect(JSON.stringify(gateway.logs), 'logs').not.to.include(base64.slice(-40))
    })

    it('runs id -un as root with a certificate for root@c1', async () => {
      const certified = await certify({ principals: 'root@c1', id: 'root-on-c1' })
      const r = await sshWith(certified, { user: 'root@c1', command: 'id -un' })
      expect(r.code, `exit status (${r.stderr})`).to.equal(0)
      expect(r.stdout.toString(), 'user').to.equal('root\n')
      expect(gateway.events('auth_accepted').at(-1), 'auth_accepted').to.include({
        keySource: 'certificate',
        certificateId: 'root-on-c1',
        keyType: 'ssh-ed25519-cert-v01@openssh.com',
      })
    })

    it('accepts RSA and ECDSA certificates', async () => {
      for (const keyType of ['rsa', 'ecdsa'] as const) {
        const certified = await certify({ principals: 'root@c1', keyType })
        const r = await sshWith(certified, { user: 'root@c1', command: 'id -un' })
        expect(r.code, `${keyType} exit status (${r.stderr})`).to.equal(0)
        expect(gateway.events('auth_accepted').at(-1)?.keySource, keyType).to.equal('certificate')
      }
    })

    it('accepts the principal c1 for the login c1', async () => {
      const certified = await certify({ principals: 'c1', validity: '-5m:+1h' })
      const r = await sshWith(certified, { user: 'c1', command: 'id -un' })
      expect(r.code, `exit status (${r.stderr})`).to.equal(0)
      expect(r.stdout.toString(), 'user').to.equal('root\n')
    })

    it('refuses an expired certificate', async () => {
      const certified = await certify({ principals: 'root@c1', validity: '-2d:-1d' })
      const refused = await refusalsOf(() => sshWith(certified, AS_ROOT))
      expect(reasons(refused).some((r) => r.startsWith('certificate expired')), 'reason')
        .to.equal(true)
    })

    it('refuses a certificate for another principal', async () => {
      const certified = await certify({ principals: 'alice@c1' })
      const refused = await refusalsOf(() => sshWith(certified, AS_ROOT))
      expect(reasons(refused), 'reasons').to.include(
        'no certificate principal matches login "root@c1"')
    })

    it('refuses a certificate signed by a CA that is not trusted', async () => {
      const certified = await certify({ principals: 'root@c1', by: strangerCa })
      const refused = await refusalsOf(() => sshWith(certified, AS_ROOT))
      expect(reasons(refused).some((r) => r.startsWith('certificate signed by unknown CA SHA256:')),
        'reason').to.equal(true)
    })

    it('refuses a forged certificate', async () => {
      const certified = await certify({ principals: 'root@c1', id: 'forge-me' })
      const forged = await forge(certified.certificatePath, 'forge-me')

      // OpenSSH's client checks the CA signature itself when it loads a certificate, so it never
      // offers the forged one: only the bare key arrives, and that is not authorized.
      const offered = { ...certified, certificatePath: forged.path }
      const refused = await refusalsOf(() => sshWith(offered, AS_ROOT))
      expect(reasons(refused), 'what OpenSSH offered').to.deep.equal(['key not authorized'])

      // ssh2's client sends whatever blob it is given, so the gateway's own check is reached.
      const before = gateway.logs.length
      const error = await offerCertificate(gateway.port, certified.key.path, forged, 'root@c1')
      expect(error?.message, 'ssh2 client').to.match(/authentication methods failed/)
      expect(reasons(await linesAfter(before)), 'reasons').to.deep.equal(['bad CA signature'])
    })

    it('runs the force-command of a certificate with the request in SSH_ORIGINAL_COMMAND',
      async () => {
        const certified = await certify({ principals: 'root@c1',
          options: ['force-command=echo forced; echo "asked: $SSH_ORIGINAL_COMMAND"'] })
        const r = await sshWith(certified, { user: 'root@c1', command: 'id -un' })
        expect(r.code, `exit status (${r.stderr})`).to.equal(0)
        expect(r.stdout.toString()).to.equal('forced\nasked: id -un\n')
      })

    it('gives no pty to a certificate without permit-pty', async () => {
      const certified = await certify({ principals: 'root@c1', options: ['no-pty'] })
      const r = await sshWith(certified, { user: 'root@c1', command: 'true', args: ['-tt'] })
      expect(r.stderr, 'stderr').to.include('PTY allocation request failed')
    })
  })
}

/** A copy of a certificate file with one byte of `marker`, inside the signed part, changed. */
async function forge(path: string, marker: string) {
  const [type, base64, ...comment] = (await readFile(path, 'utf8')).trim().split(' ')
  const blob = Buffer.from(base64, 'base64')
  const index = blob.indexOf(Buffer.from(marker))
  expect(index, 'marker in certificate').to.be.above(0)
  blob[index] ^= 0x01
  const forgedPath = path.replace(/-cert\.pub$/, '-forged-cert.pub')
  await writeFile(forgedPath, `${type} ${blob.toString('base64')} ${comment.join(' ')}\n`)
  return { path: forgedPath, type, blob }
}

/**
 * Offers a certificate blob with ssh2's client, which checks nothing about it. The client only
 * sends keys it parsed itself, so the blob rides on the real key: an object that inherits from
 * it but names the certificate's type and returns the certificate as its public key.
 */
function offerCertificate(
  port: number,
  keyPath: string,
  certificate: { type: string; blob: Buffer },
  username: string,
): Promise<Error | undefined> {
  const parsed = utils.parseKey(readFileSync(keyPath)) as ParsedKey
  const key = Object.create(parsed, {
    type: { value: certificate.type },
    getPublicSSH: { value: () => certificate.blob },
  }) as ParsedKey
  const method: PublicKeyAuthMethod = { type: 'publickey', username, key }
  const conn = new Client()
  return new Promise((resolve) => {
    conn.once('ready', () => {
      conn.end()
      resolve(undefined)
    })
    conn.once('error', resolve)
    conn.connect({ host: '127.0.0.1', port, username, readyTimeout: 10000,
      authHandler: [method] })
  })
}

for (const daemon of DAEMONS) describeCertificates(daemon)
