import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAEMONS, containerExec, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { requireHttps, runFailingStart, tlsConfig } from '../helpers/https'
import { sha256 } from '../helpers/process'
import { runSftp, runSsh } from '../helpers/ssh'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'
import type { HttpsDaemon } from '../helpers/https'
import type { RunResult } from '../helpers/process'

/** Sessions, SFTP and start-up checks with the gateway reaching one daemon over HTTPS. */
function describeHttpsBackend(daemon: Daemon, other: Daemon): void {
  describe(`https backend on ${daemon.name}`, function () {
    this.timeout(60000)
    let https: HttpsDaemon

    before(async () => {
      await requireDaemon(daemon)
      https = await requireHttps(daemon)
    })

    describe('with the trusted client certificate and the pinned server certificate', () => {
      let gateway: Gateway
      let dir: string

      before(async function () {
        this.timeout(30000)
        gateway = await startGateway({
          backend: https.url,
          config: tlsConfig('client', https.fingerprint),
        })
        dir = await mkdtemp(join(tmpdir(), 'execgate-https-'))
      })

      after(async function () {
        this.timeout(30000)
        await gateway?.stop()
        if (dir) await rm(dir, { recursive: true, force: true })
      })

      it('reports the daemon at its https:// address', async () => {
        const line = await gateway.waitForLog('backend_connected')
        expect(line.backend, 'backend').to.match(
          new RegExp(`^${daemon.name} \\S+ at ${https.url.replace(/\./g, '\\.')} `))
      })

      it('runs a command with its stdout, stderr and exit status', async () => {
        const r = await runSsh(gateway, { user: 'c1', command: 'echo out; echo err >&2; exit 3' })
        expect(r.stdout.toString(), 'stdout').to.equal('out\n')
        expect(r.stderr, 'stderr').to.equal('err\n')
        expect(r.code, 'exit status').to.equal(3)
      })

      it('passes stdin through and ends it', async () => {
        const input = randomBytes(256 * 1024)
        const r = await runSsh(gateway, { user: 'c1', command: 'cat', stdin: input })
        expect(r.code, `exit status (${r.stderr})`).to.equal(0)
        expect(r.stdoutSha256, 'sha256 of the echoed stdin').to.equal(sha256(input))
      })

      it('gives a pty session a terminal of its own', async () => {
        // The trailing sleep: LXD 5.0.2 can drop the last output of a pty command that exits
        // at once, which the exec conformance suite covers.
        const r = await runSsh(gateway, {
          user: 'c1',
          command: 'tty; stty size; sleep 0.2',
          args: ['-tt'],
        })
        const lines = r.stdout.toString().split('\r\n')
        expect(lines[0], 'tty').to.match(/^\/dev\/pts\/\d+$/)
        expect(lines[1], 'stty size').to.match(/^\d+ \d+$/)
        expect(r.code, `exit status (${r.stderr})`).to.equal(0)
      })

      it('runs an interactive shell when no command is given', async () => {
        // The sleep before exit: LXD 5.0.2 can drop the last output of a pty process that
        // exits at once (see the README's Limitations).
        const r = await runSsh(gateway, {
          user: 'c1',
          args: ['-tt'],
          stdin: Buffer.from('echo "shell-$((6 * 7))"; sleep 0.2\nexit 4\n'),
        })
        expect(r.stdout.toString(), 'output').to.include('shell-42')
        expect(r.code, 'exit status').to.equal(4)
      })

      it('keeps the first output of 12 sessions started at once', async () => {
        // The daemon starts a command once its last websocket is up, and its output can come
        // before the gateway has seen every socket open; TLS handshakes widen that window. The
        // sleep keeps this test off the daemons' own race, which drops the output of a command
        // that exits at once under load (their CLIs lose it too).
        const runs = Array.from({ length: 12 }, (_, i) =>
          runSsh(gateway, { user: 'c1', command: `echo session-${i}; sleep 0.2; exit ${i}` }))
        const results = await Promise.all(runs)
        results.forEach((r, i) => {
          expect(r.stdout.toString(), `stdout of session ${i}`).to.equal(`session-${i}\n`)
          expect(r.code, `exit status of session ${i} (${r.stderr})`).to.equal(i)
        })
      })

      it('puts and gets a file with sftp, with identical sha256 on both ends', async () => {
        const local = join(dir, 'up.bin')
        const content = randomBytes(8 * 1024 * 1024)
        await writeFile(local, content)
        const back = join(dir, 'down.bin')
        const batch = join(dir, 'batch')
        const remote = '/tmp/https-sftp.bin'
        await writeFile(batch, `put ${local} ${remote}\nget ${remote} ${back}\n`)

        const r = await runSftp(gateway, 'c1', batch)
        expect(r.code, `sftp exit status (${r.stderr})`).to.equal(0)
        const inside = await containerExec(daemon, 'c1', ['sha256sum', remote])
        expect(inside.split(' ')[0], 'sha256 in the container').to.equal(sha256(content))
        expect(sha256(await readFile(back)), 'sha256 after the round trip')
          .to.equal(sha256(content))
        await containerExec(daemon, 'c1', ['rm', '-f', remote])
      })

      it('refuses a stopped container with its message and status 255', async () => {
        const r = await runSsh(gateway, { user: 'stopped1', command: 'true' })
        expect(r.stderr, 'stderr').to.include('execgate: container "stopped1" is not running')
        expect(r.code, 'exit status').to.equal(255)
      })
    })

    describe('start-up', () => {
      it('fails, in one line, when the daemon does not trust the client certificate', async () => {
        const r = await runFailingStart(https.url, tlsConfig('untrusted', https.fingerprint))
        const line = expectOneLineFailure(r)
        expect(line, 'the cause').to.match(/^execgate: certificate not trusted: /)
        expect(line, 'the daemon').to.include(`daemon at ${https.url}`)
        expect(line, 'the certificate').to.include('untrusted.crt')
      })

      it('fails, in one line, when the pinned fingerprint is another certificate\'s', async () => {
        const wrong = (await requireHttps(other)).fingerprint
        const r = await runFailingStart(https.url, tlsConfig('client', wrong))
        const line = expectOneLineFailure(r)
        expect(line, 'the cause').to.match(/^execgate: server certificate fingerprint mismatch: /)
        expect(line, 'the fingerprint presented').to.include(https.fingerprint)
        expect(line, 'the fingerprint pinned').to.include(wrong)
      })
    })
  })
}

describe('https backend configuration', () => {
  it('rejects an https:// backend without a pinned server certificate', async () => {
    const r = await runFailingStart('https://127.0.0.1:8443', tlsConfig('client', undefined))
    const line = expectOneLineFailure(r)
    expect(line).to.equal(
      'execgate: backend.tls.serverFingerprint: required for "https://127.0.0.1:8443"')
  })

  it('rejects an https:// backend without a client certificate', async () => {
    const r = await runFailingStart('https://127.0.0.1:8443', {})
    const line = expectOneLineFailure(r)
    expect(line).to.match(/^execgate: backend\.tls: clientCert, clientKey, serverFingerprint /)
  })
})

/** The gateway exited non-zero, before listening, with one line on stderr; returns it. */
function expectOneLineFailure(r: RunResult): string {
  expect(r.timedOut, `the gateway started instead of failing (${r.stderr})`).to.equal(false)
  expect(r.code, 'exit status').to.equal(1)
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, 'stderr lines').to.have.length(1)
  return lines[0]
}

describeHttpsBackend(DAEMONS[0], DAEMONS[1])
describeHttpsBackend(DAEMONS[1], DAEMONS[0])
