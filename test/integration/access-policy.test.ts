import { expect } from 'chai'
import { once } from 'node:events'
import { connect } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAEMONS, containerExec, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { runSsh } from '../helpers/ssh'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'
import type { ClientKey } from '../helpers/keys'
import type { SshOptions } from '../helpers/ssh'

const DENIED = 'Permission denied (publickey)'

/** Which keys reach which containers as whom, with the real OpenSSH client. */
function describeAccessPolicy(daemon: Daemon): void {
  describe(`access policy on ${daemon.name}`, function () {
    this.timeout(60000)
    let dir: string
    let gateway: Gateway
    const keys: Record<string, ClientKey> = {}

    /** Key name → the options its authorized_keys line carries. */
    const OPTIONS: Record<string, string> = {
      web: 'containers="web-*"',
      alice: 'users="alice"',
      lan: 'from="10.0.0.0/8"',
      local: 'from="127.0.0.1,::1"',
      forced: 'command="echo forced; echo \\"asked: $SSH_ORIGINAL_COMMAND\\""',
      nopty: 'no-pty',
      restricted: 'restrict,pty,containers="c1"',
    }

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      dir = await mkdtemp(join(tmpdir(), 'execgate-policy-'))
      for (const name of Object.keys(OPTIONS)) keys[name] = await makeClientKey(dir, name)
      gateway = await startGateway({
        backend: daemon.socket,
        extraAuthorizedKeys: Object.entries(OPTIONS).map(
          ([name, options]) => `${options} ${keys[name].publicLine}`),
      })
    })

    after(async function () {
      this.timeout(30000)
      await gateway?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    const sshAs = (key: string, options: SshOptions) =>
      runSsh({ port: gateway.port, keyPath: keys[key].path }, options)

    it('lets a key restricted to web-* reach web-1 and not db-1', async () => {
      const web = await sshAs('web', { user: 'web-1', command: 'hostname' })
      expect(web.code, `web-1 (${web.stderr})`).to.equal(0)
      expect(web.stdout.toString(), 'hostname').to.equal('web-1\n')

      const db = await sshAs('web', { user: 'db-1', command: 'hostname' })
      expect(db.code, 'db-1 exit status').to.equal(255)
      expect(db.stderr, 'db-1 stderr').to.include(DENIED)
    })

    it('keeps a key restricted to alice from becoming root', async () => {
      const asAlice = await sshAs('alice', { user: 'alice@c1', command: 'id -un' })
      expect(asAlice.code, `alice (${asAlice.stderr})`).to.equal(0)
      expect(asAlice.stdout.toString(), 'user').to.equal('alice\n')

      for (const user of ['c1', 'root@c1']) {
        const asRoot = await sshAs('alice', { user, command: 'id -un' })
        expect(asRoot.code, `${user} exit status`).to.equal(255)
        expect(asRoot.stderr, `${user} stderr`).to.include(DENIED)
      }
    })

    it('enforces from=', async () => {
      const lan = await sshAs('lan', { user: 'c1', command: 'true' })
      expect(lan.code, 'from 10.0.0.0/8').to.equal(255)
      expect(lan.stderr, 'from 10.0.0.0/8 stderr').to.include(DENIED)

      const local = await sshAs('local', { user: 'c1', command: 'echo ok' })
      expect(local.code, `from 127.0.0.1 (${local.stderr})`).to.equal(0)
      expect(gateway.events('auth_refused').some((line) =>
        String(line.reason).includes('not allowed by from=')), 'logged reason').to.equal(true)
    })

    it('runs alice in her home with her shell and environment', async () => {
      const r = await runSsh(gateway, {
        user: 'alice@c1',
        command: 'id -un; pwd; echo "$HOME $USER $LOGNAME $SHELL"',
      })
      expect(r.code, `exit status (${r.stderr})`).to.equal(0)
      expect(r.stdout.toString()).to.equal(
        'alice\n/home/alice\n/home/alice alice alice /bin/sh\n')
    })

    it('refuses an unknown user and an unknown container after authentication, naming them',
      async () => {
        const user = await runSsh(gateway, { user: 'nobody-here@c1', command: 'true' })
        expect(user.code, 'unknown user').to.equal(255)
        expect(user.stderr.trim(), 'unknown user stderr').to.equal(
          'execgate: user "nobody-here" does not exist in container "c1"')

        const container = await runSsh(gateway, { user: 'alice@no-such-box', command: 'true' })
        expect(container.code, 'unknown container').to.equal(255)
        expect(container.stderr.trim(), 'unknown container stderr').to.equal(
          'execgate: container "no-such-box" not found')
      })

    it('shows an unauthenticated client no difference between unknown and forbidden', async () => {
      const forbidden = await sshAs('web', { user: 'db-1', command: 'true' })
      const unknown = await sshAs('web', { user: 'web-nonexistent', command: 'true' })
      const missing = await sshAs('web', { user: 'no-such-box', command: 'true' })
      expect(forbidden.code, 'forbidden').to.equal(255)
      expect(missing.stderr.replace('no-such-box', 'NAME'), 'unknown and forbidden look the same')
        .to.equal(forbidden.stderr.replace('db-1', 'NAME'))

      // A name the key may reach is only found missing after authentication.
      expect(unknown.stderr.trim(), 'allowed but missing').to.equal(
        'execgate: container "web-nonexistent" not found')
    })

    it('runs the forced command of command= with the request in SSH_ORIGINAL_COMMAND',
      async () => {
        const r = await sshAs('forced', { user: 'c1', command: 'rm -rf /tmp/x' })
        expect(r.code, `exit status (${r.stderr})`).to.equal(0)
        expect(r.stdout.toString()).to.equal('forced\nasked: rm -rf /tmp/x\n')
      })

    it('refuses a pty to a no-pty key, which still runs commands without one', async () => {
      // OpenSSH's client gives up when a pty it was told to force (-tt) is refused.
      const forced = await sshAs('nopty', { user: 'c1', command: 'true', args: ['-tt'] })
      expect(forced.stderr, 'stderr').to.include('PTY allocation request failed')
      expect(forced.code, 'exit status with -tt').to.equal(255)

      const plain = await sshAs('nopty', { user: 'c1', command: 'test -t 1 || echo no-tty' })
      expect(plain.code, `exit status (${plain.stderr})`).to.equal(0)
      expect(plain.stdout.toString(), 'no terminal').to.equal('no-tty\n')
    })

    it('lets pty after restrict give the pty back', async () => {
      const r = await sshAs('restricted', { user: 'c1', command: 'tty', args: ['-tt'] })
      expect(r.code, `exit status (${r.stderr})`).to.equal(0)
      expect(r.stdout.toString(), 'terminal').to.match(/^\/dev\/pts\//)
    })
  })
}

/** The sshd-like limits: tries, grace time, unauthenticated connections, sessions. */
describe('connection limits', function () {
  this.timeout(60000)
  const daemon = DAEMONS[0]
  let gateway: Gateway
  let dir: string

  before(async function () {
    this.timeout(30000)
    await requireDaemon(daemon)
    dir = await mkdtemp(join(tmpdir(), 'execgate-limits-'))
    gateway = await startGateway({
      backend: daemon.socket,
      config: {
        auth: { maxTries: 2, graceMs: 1000, maxUnauthenticated: 3 },
        ssh: { maxSessions: 2 },
      },
    })
  })

  after(async function () {
    this.timeout(30000)
    await gateway?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('disconnects a client after auth.maxTries refused keys', async () => {
    const wrong = await Promise.all([1, 2, 3].map((n) => makeClientKey(dir, `wrong${n}`)))
    const args = wrong.flatMap((key) => ['-i', key.path])
    const r = await runSsh({ port: gateway.port, keyPath: wrong[0].path },
      { user: 'c1', command: 'true', args })
    expect(r.code, 'exit status').to.equal(255)
    await gateway.waitForLog('auth_tries_exceeded', { failures: 2 })
  })

  it('drops a connection that does not authenticate within auth.graceMs', async () => {
    const socket = connect(gateway.port, '127.0.0.1')
    const closed = new Promise<number>((resolve) => {
      const openedAt = Date.now()
      socket.on('close', () => resolve(Date.now() - openedAt))
    })
    socket.on('error', () => undefined)
    socket.resume()
    socket.write('SSH-2.0-slowpoke\r\n')
    const ms = await closed
    expect(ms, 'closed after the grace time').to.be.within(900, 3000)
    await gateway.waitForLog('connection_dropped', { reason: 'loginGraceTime' })
  })

  it('drops a connection that never sends a banner within auth.graceMs', async () => {
    const socket = connect(gateway.port, '127.0.0.1')
    const openedAt = Date.now()
    socket.on('error', () => undefined)
    socket.resume()
    await new Promise((resolve) => socket.on('close', resolve))
    expect(Date.now() - openedAt, 'closed after the grace time').to.be.within(900, 3000)
  })

  it('drops connections beyond auth.maxUnauthenticated', async () => {
    // The server's banner on a socket shows that the gateway has taken it in and counts it.
    const idle = [1, 2, 3].map(() => connect(gateway.port, '127.0.0.1'))
    idle.forEach((socket) => socket.on('error', () => undefined))
    await Promise.all(idle.map((socket) => once(socket, 'data')))

    const extra = connect(gateway.port, '127.0.0.1')
    extra.on('error', () => undefined)
    const received: Buffer[] = []
    extra.on('data', (chunk: Buffer) => received.push(chunk))
    await once(extra, 'close')
    idle.forEach((socket) => socket.destroy())

    expect(Buffer.concat(received).toString(), 'no banner for the extra one').to.equal('')
    await gateway.waitForLog('connection_dropped', { reason: 'maxUnauthenticated' })
  })

  it('refuses a session beyond ssh.maxSessions on one connection', async () => {
    const control = ['-o', `ControlPath=${join(dir, 'control')}`]
    const master = await runSsh(gateway, { user: 'c1',
      args: ['-o', 'ControlMaster=yes', '-o', 'ControlPersist=30', '-N', '-f', ...control] })
    expect(master.code, `master (${master.stderr})`).to.equal(0)

    // A mux client whose session is refused falls back to a connection of its own; the
    // ProxyCommand that fails makes that fallback fail instead of hiding the refusal.
    const muxOnly = ['-o', 'ControlMaster=no', '-o', 'ProxyCommand=false', ...control]
    const sessions = await Promise.all([1, 2, 3].map((n) => runSsh(gateway,
      { user: 'c1', command: `sleep 1; echo s${n}`, args: muxOnly })))
    const codes = sessions.map((s) => s.code).sort()
    await runSsh(gateway, { user: 'c1', args: [...control, '-O', 'exit'] })
    expect(codes, 'two run, one is refused').to.deep.equal([0, 0, 255])
    const refusal = sessions.find((s) => s.code === 255)?.stderr ?? ''
    expect(refusal, 'the refused one').to.include('Session open refused by peer')
    await gateway.waitForLog('session_refused', { reason: 'maxSessions' })
  })
})

/** The user's own ~/.ssh/authorized_keys inside the container, with auth.containerKeys. */
function describeContainerKeys(daemon: Daemon): void {
  describe(`container authorized_keys on ${daemon.name}`, function () {
    this.timeout(60000)
    let gateway: Gateway
    let dir: string
    let key: ClientKey

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      dir = await mkdtemp(join(tmpdir(), 'execgate-ckeys-'))
      key = await makeClientKey(dir, 'alice-own')
      await containerExec(daemon, 'c1', ['sh', '-c',
        `mkdir -p /home/alice/.ssh && echo '${key.publicLine}' > /home/alice/.ssh/authorized_keys`])
      gateway = await startGateway({ backend: daemon.socket, config: { auth: { containerKeys: true } } })
    })

    after(async function () {
      this.timeout(30000)
      await containerExec(daemon, 'c1', ['rm', '-rf', '/home/alice/.ssh'])
      await gateway?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    const sshWith = (user: string) =>
      runSsh({ port: gateway.port, keyPath: key.path }, { user, command: 'id -un' })

    it('lets a key from alice\'s own authorized_keys in c1 log in as alice in c1', async () => {
      const r = await sshWith('alice@c1')
      expect(r.code, `exit status (${r.stderr})`).to.equal(0)
      expect(r.stdout.toString()).to.equal('alice\n')
      expect(gateway.events('auth_accepted').at(-1)?.keySource, 'key source').to.equal('container')
    })

    it('gives that key neither root in c1 nor alice in another container', async () => {
      for (const user of ['c1', 'alice@c2']) {
        const r = await sshWith(user)
        expect(r.code, `${user} exit status`).to.equal(255)
        expect(r.stderr, `${user} stderr`).to.include(DENIED)
      }
    })
  })
}

for (const daemon of DAEMONS) {
  describeAccessPolicy(daemon)
  describeContainerKeys(daemon)
}
