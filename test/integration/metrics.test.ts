import { expect } from 'chai'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { httpGet, parseSamples, valueOf } from '../helpers/prometheus'
import { runSftp, runSsh } from '../helpers/ssh'
import { startUnixRelay } from '../helpers/unix-relay'
import { waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'
import type { Sample } from '../helpers/prometheus'
import type { UnixRelay } from '../helpers/unix-relay'

/** What the command below reads, and what it writes to stdout and stderr. */
const INPUT = 'hello'
const COMMAND = 'cat; printf abc >&2; exit 3'
const OUTPUT_BYTES = INPUT.length + 'abc'.length

async function metricsPort(gateway: Gateway): Promise<number> {
  return Number((await gateway.waitForLog('metrics_listening')).port)
}

async function scrape(port: number): Promise<Sample[]> {
  const { status, body } = await httpGet(port, '/metrics')
  expect(status, 'GET /metrics').to.equal(200)
  return parseSamples(body)
}

/** How far each metric moved between two scrapes. */
function deltas(before: Sample[], after: Sample[]) {
  return (name: string, labels: Record<string, string> = {}) =>
    valueOf(after, name, labels) - valueOf(before, name, labels)
}

/**
 * The counters move when the gateway has finished with a connection, which can be a moment
 * after the client has exited: wait until every connection accepted so far has closed.
 */
async function settled(port: number): Promise<Sample[]> {
  return waitFor('every connection closed', async () => {
    const samples = await scrape(port)
    const open = valueOf(samples, 'execgate_connections_open')
    const sessions = valueOf(samples, 'execgate_sessions_open')
    return open === 0 && sessions === 0 ? samples : undefined
  }, 10000, 100)
}

function describeMetrics(daemon: Daemon): void {
  describe(`metrics and /healthz on ${daemon.name}`, function () {
    this.timeout(60000)
    let gateway: Gateway
    let port: number
    let dir: string

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      dir = await mkdtemp(join(tmpdir(), 'execgate-metrics-'))
      gateway = await startGateway({
        backend: daemon.socket,
        config: { metrics: { listen: '127.0.0.1:0' } },
      })
      port = await metricsPort(gateway)
    })

    after(async function () {
      this.timeout(30000)
      await gateway?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    it('counts an exec session: connection, auth, kind, bytes, status, daemon calls', async () => {
      const before = await settled(port)
      const result = await runSsh(gateway, {
        user: 'c1', command: COMMAND, stdin: Buffer.from(INPUT),
      })
      expect(result.code, result.stderr).to.equal(3)
      const moved = deltas(before, await settled(port))

      expect(moved('execgate_connections_accepted_total'), 'accepted').to.equal(1)
      expect(moved('execgate_connections_authenticated_total'), 'authenticated').to.equal(1)
      expect(moved('execgate_connections_closed_total', { stage: 'authenticated' }), 'closed')
        .to.equal(1)
      const publickey = (result: string) => ({ method: 'publickey', result })
      expect(moved('execgate_auth_requests_total', publickey('accepted')), 'auth').to.equal(1)
      expect(moved('execgate_auth_requests_total', publickey('refused')), 'refused').to.equal(0)

      const exec = { kind: 'exec' }
      expect(moved('execgate_sessions_started_total', exec), 'started').to.equal(1)
      expect(moved('execgate_sessions_ended_total', { ...exec, outcome: 'exited' }), 'ended')
        .to.equal(1)
      expect(moved('execgate_session_duration_seconds_count', exec), 'duration').to.equal(1)
      expect(moved('execgate_session_bytes_total', { ...exec, direction: 'in' }), 'bytes in')
        .to.equal(INPUT.length)
      expect(moved('execgate_session_bytes_total', { ...exec, direction: 'out' }), 'bytes out')
        .to.equal(OUTPUT_BYTES)
      expect(moved('execgate_session_exit_status_total', { ...exec, status: '1-125' }), 'status')
        .to.equal(1)

      const backend = { backend: 'default', daemon: daemon.name }
      const execPost = { ...backend, method: 'POST', route: '/1.0/instances/:name/exec' }
      // The command's exec, and the exec that ends whatever the session left behind once the
      // channel closes; that one may still be under way when the session has ended.
      const execPosts = moved('execgate_backend_request_duration_seconds_count', execPost)
      expect(execPosts, 'exec POSTs').to.be.within(1, 2)
      // The user is looked up in the container's /etc/passwd before the exec.
      const files = { ...backend, method: 'GET', route: '/1.0/instances/:name/files' }
      expect(moved('execgate_backend_request_duration_seconds_count', files), 'passwd read')
        .to.be.at.least(1)
      expect(moved('execgate_backend_request_errors_total', backend), 'errors').to.equal(0)
    })

    it('counts an sftp session under its own kind, with status 0', async () => {
      const before = await settled(port)
      const batch = join(dir, 'batch')
      await writeFile(batch, 'ls /\n')
      const result = await runSftp(gateway, 'c1', batch)
      expect(result.code, result.stderr).to.equal(0)
      const moved = deltas(before, await settled(port))

      expect(moved('execgate_sessions_started_total', { kind: 'sftp' }), 'sftp').to.equal(1)
      expect(moved('execgate_sessions_started_total', { kind: 'exec' }), 'exec').to.equal(0)
      expect(moved('execgate_session_exit_status_total', { kind: 'sftp', status: '0' }), 'status')
        .to.equal(1)
      expect(moved('execgate_session_bytes_total', { kind: 'sftp', direction: 'out' }), 'out')
        .to.be.greaterThan(0)
    })

    it('counts a pty shell under its own kind, with its exit status', async () => {
      const before = await settled(port)
      const result = await runSsh(gateway, {
        user: 'c1', args: ['-tt'], stdin: Buffer.from('exit 130\n'),
      })
      expect(result.code, result.stderr).to.equal(130)
      const moved = deltas(before, await settled(port))

      expect(moved('execgate_sessions_started_total', { kind: 'shell' }), 'shell').to.equal(1)
      const interrupted = { kind: 'shell', status: '128+INT' }
      expect(moved('execgate_session_exit_status_total', interrupted), 'status').to.equal(1)
      expect(moved('execgate_session_bytes_total', { kind: 'shell', direction: 'in' }), 'typed')
        .to.equal('exit 130\n'.length)
    })

    it('counts a refused key as a refused authentication and no session', async () => {
      const before = await settled(port)
      const stranger = await makeClientKey(dir, 'stranger')
      const result = await runSsh({ port: gateway.port, keyPath: stranger.path }, {
        user: 'c1', command: 'true',
      })
      expect(result.code, 'ssh exits 255').to.equal(255)
      expect(result.stderr).to.include('Permission denied (publickey)')
      const moved = deltas(before, await settled(port))

      expect(moved('execgate_connections_accepted_total'), 'accepted').to.equal(1)
      expect(moved('execgate_connections_authenticated_total'), 'authenticated').to.equal(0)
      expect(moved('execgate_connections_closed_total', { stage: 'authenticating' }), 'closed')
        .to.equal(1)
      // OpenSSH asks whether the one key would do, is told no, and gives up.
      const refused = { method: 'publickey', result: 'refused' }
      expect(moved('execgate_auth_requests_total', refused), 'refused').to.equal(1)
      const accepted = { method: 'publickey', result: 'accepted' }
      expect(moved('execgate_auth_requests_total', accepted), 'accepted').to.equal(0)
      expect(moved('execgate_sessions_started_total'), 'sessions').to.equal(0)
    })

    it('answers /healthz 200 and shows the backend up', async () => {
      expect(await httpGet(port, '/healthz')).to.deep.equal({ status: 200, body: 'ok\n' })
      const up = { backend: 'default', daemon: daemon.name }
      expect(valueOf(await scrape(port), 'execgate_backend_up', up)).to.equal(1)
    })

    it('answers any other path with 404', async () => {
      expect((await httpGet(port, '/')).status).to.equal(404)
    })

    it('refuses to start when the metrics address is taken', async () => {
      const taken = `127.0.0.1:${port}`
      const failure = await startGateway({
        backend: daemon.socket,
        config: { metrics: { listen: taken } },
      }).then((started) => started.stop().then(() => 'started'), (err: Error) => err.message)
      expect(failure).to.include('gateway exited (1/null) before listening')
      expect(failure).to.include(`execgate: metrics.listen: cannot listen on ${taken}`)
      expect(failure, 'the log line').to.include('"code":"METRICS_LISTEN_FAILED"')
    })

    it('opens no metrics port without metrics.listen', async () => {
      const plain = await startGateway({ backend: daemon.socket })
      try {
        expect(plain.events('metrics_listening'), 'metrics_listening lines').to.deep.equal([])
      } finally {
        await plain.stop()
      }
    })
  })

  /**
   * The gateway refuses to start when a backend does not answer, so a backend that is gone
   * from the start cannot be shown. This one answers through a relay at start, and the relay
   * is then cut: to the gateway, the daemon behind that backend has died.
   */
  describe(`/healthz when a ${daemon.name} backend stops answering`, function () {
    this.timeout(60000)
    let gateway: Gateway
    let relay: UnixRelay
    let dir: string

    before(async () => {
      await requireDaemon(daemon)
      dir = await mkdtemp(join(tmpdir(), 'execgate-relay-'))
    })

    after(async function () {
      this.timeout(30000)
      await gateway?.stop()
      // A relay left listening would keep mocha from exiting.
      await relay?.cut()
      await rm(dir, { recursive: true, force: true })
    })

    it('answers 503 naming the backend while it is gone, 200 once it is back', async () => {
      relay = await startUnixRelay(join(dir, 'relay.socket'), daemon.socket)
      gateway = await startGateway({
        backend: daemon.socket,
        config: {
          backends: { relayed: { url: relay.path } },
          metrics: { listen: '127.0.0.1:0', probeIntervalMs: 200 },
        },
      })
      const port = await metricsPort(gateway)
      expect((await httpGet(port, '/healthz')).status, 'before the cut').to.equal(200)

      await relay.cut()
      const gone = await waitFor('a 503', async () => {
        const response = await httpGet(port, '/healthz')
        return response.status === 503 ? response : undefined
      }, 5000, 100)
      expect(gone.body).to.equal('backend unreachable: relayed\n')
      const samples = await scrape(port)
      const up = (backend: string) => valueOf(samples, 'execgate_backend_up', { backend })
      expect(up('relayed'), 'relayed').to.equal(0)
      expect(up('default'), 'default').to.equal(1)
      await gateway.waitForLog('backend_unreachable', { name: 'relayed' })

      await relay.restore()
      await waitFor('a 200 again', async () =>
        (await httpGet(port, '/healthz')).status === 200 ? true : undefined, 5000, 100)
      await gateway.waitForLog('backend_reachable', { name: 'relayed' })
    })
  })
}

for (const daemon of DAEMONS) describeMetrics(daemon)
