import { expect } from 'chai'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { createLogger } from '../../../src/log/logger'
import { GatewayMetrics } from '../../../src/metrics/gateway-metrics'
import { httpGet, parseSamples, valueOf } from '../../helpers/prometheus'
import type { ExecBackend } from '../../../src/backend/types'

/**
 * A stand-in for a backend that only answers probes, as told: the real daemons cannot be made
 * to stop answering on cue in a unit test (the integration test does it with a relay).
 */
function probeOnlyBackend(kind: string): { backend: ExecBackend; answers: { ok: boolean } } {
  const answers = { ok: true }
  const probe = () => answers.ok ? Promise.resolve() : Promise.reject(new Error('down'))
  return { backend: { kind, probe } as unknown as ExecBackend, answers }
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('GatewayMetrics', () => {
  let metrics: GatewayMetrics
  let port: number
  const lxd = probeOnlyBackend('lxd')
  const incus = probeOnlyBackend('incus')

  beforeEach(async () => {
    lxd.answers.ok = true
    incus.answers.ok = true
    metrics = new GatewayMetrics({
      listen: { host: '127.0.0.1', port: 0 },
      probeIntervalMs: 100,
      log: createLogger('silent'),
    })
    const backends = new Map([['default', lxd.backend], ['ci', incus.backend]])
    port = (await metrics.start(backends)).port
  })

  afterEach(() => metrics.stop())

  async function scrape() {
    const { status, body } = await httpGet(port, '/metrics')
    expect(status, 'GET /metrics').to.equal(200)
    return parseSamples(body)
  }

  it('serves the text format with every execgate_ metric, zero series included', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/)
    const samples = parseSamples(await response.text())
    const series = (name: string, labels: Record<string, string>) => samples.filter((s) =>
      s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    expect(series('execgate_connections_open', { stage: 'authenticating' }), 'connections')
      .to.have.length(1).and.nested.property('[0].value', 0)
    expect(series('execgate_sessions_open', { kind: 'sftp' }), 'sessions')
      .to.have.length(1).and.nested.property('[0].value', 0)
    expect(valueOf(samples, 'execgate_backend_up', { backend: 'ci', daemon: 'incus' }))
      .to.equal(1)
    expect(samples.some((s) => s.name === 'execgate_process_cpu_seconds_total'), 'process')
      .to.equal(true)
  })

  it('moves connections from authenticating to authenticated and out', async () => {
    metrics.ssh.connectionAccepted()
    metrics.ssh.connectionAccepted()
    metrics.ssh.connectionAuthenticated()
    metrics.ssh.connectionClosed(false)
    const samples = await scrape()
    expect(valueOf(samples, 'execgate_connections_accepted_total')).to.equal(2)
    expect(valueOf(samples, 'execgate_connections_authenticated_total')).to.equal(1)
    expect(valueOf(samples, 'execgate_connections_open', { stage: 'authenticated' })).to.equal(1)
    expect(valueOf(samples, 'execgate_connections_open', { stage: 'authenticating' }))
      .to.equal(0)
    expect(valueOf(samples, 'execgate_connections_closed_total', { stage: 'authenticating' }))
      .to.equal(1)
  })

  it('counts bytes as they pass, and a session once it ends', async () => {
    metrics.sessions.sessionStarted('exec')
    metrics.sessions.sessionBytes('exec', 'in', 5)
    metrics.sessions.sessionBytes('exec', 'out', 3)
    metrics.sessions.sessionBytes('exec', 'out', 4)
    const running = await scrape()
    expect(valueOf(running, 'execgate_sessions_open', { kind: 'exec' })).to.equal(1)
    expect(valueOf(running, 'execgate_session_bytes_total', { direction: 'out' })).to.equal(7)
    const shellBytes = running.filter((sample) =>
      sample.name === 'execgate_session_bytes_total' && sample.labels.kind === 'shell')
    expect(shellBytes.map((sample) => sample.value), 'zero series').to.deep.equal([0, 0])
    metrics.sessions.sessionEnded({
      kind: 'exec', outcome: 'exited', exitStatus: 137, durationSeconds: 0.3,
    })
    const samples = await scrape()
    expect(valueOf(samples, 'execgate_sessions_open', { kind: 'exec' })).to.equal(0)
    expect(valueOf(samples, 'execgate_sessions_ended_total', { outcome: 'exited' })).to.equal(1)
    expect(valueOf(samples, 'execgate_session_duration_seconds_bucket', { le: '0.5' }))
      .to.equal(1)
    expect(valueOf(samples, 'execgate_session_bytes_total', { direction: 'in' })).to.equal(5)
    expect(valueOf(samples, 'execgate_session_bytes_total', { direction: 'out' })).to.equal(7)
    expect(valueOf(samples, 'execgate_session_exit_status_total', { status: '128+KILL' }))
      .to.equal(1)
  })

  it('labels daemon requests with the backend the observer was made for', async () => {
    const observer = metrics.backends.observerFor('ci')
    observer.requestFinished({ daemon: 'incus', method: 'GET', route: '/1.0', durationSeconds: 1 })
    observer.requestFailed('incus', 'unreachable')
    const samples = await scrape()
    const labels = { backend: 'ci', daemon: 'incus', method: 'GET', route: '/1.0' }
    expect(valueOf(samples, 'execgate_backend_request_duration_seconds_count', labels))
      .to.equal(1)
    expect(valueOf(samples, 'execgate_backend_request_errors_total', { reason: 'unreachable' }))
      .to.equal(1)
  })

  it('answers /healthz 200 while all backends answer, 503 naming one that does not', async () => {
    expect(await httpGet(port, '/healthz')).to.deep.equal({ status: 200, body: 'ok\n' })

    incus.answers.ok = false
    await waitUntil('a 503', async () => (await httpGet(port, '/healthz')).status === 503)
    expect((await httpGet(port, '/healthz')).body).to.equal('backend unreachable: ci\n')
    const samples = await scrape()
    expect(valueOf(samples, 'execgate_backend_up', { backend: 'ci' }), 'ci').to.equal(0)
    expect(valueOf(samples, 'execgate_backend_up', { backend: 'default' }), 'default').to.equal(1)

    incus.answers.ok = true
    await waitUntil('a 200 again', async () => (await httpGet(port, '/healthz')).status === 200)
  })

  it('answers /healthz 503 once the gateway is stopping, while it still serves', async () => {
    metrics.markStopping()
    expect(await httpGet(port, '/healthz')).to.deep.equal({
      status: 503, body: 'gateway stopping\n',
    })
    expect((await httpGet(port, '/metrics')).status, '/metrics').to.equal(200)
  })

  it('answers anything else with 404', async () => {
    expect((await httpGet(port, '/')).status, '/').to.equal(404)
    expect((await httpGet(port, '/metrics/x')).status, '/metrics/x').to.equal(404)
    const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })
    expect(post.status, 'POST /metrics').to.equal(404)
  })

  it('stops listening on stop', async () => {
    await metrics.stop()
    const refused = await fetch(`http://127.0.0.1:${port}/metrics`).then(() => false, () => true)
    expect(refused, 'connection refused').to.equal(true)
  })
})

describe('GatewayMetrics on a port in use', () => {
  it('fails with METRICS_LISTEN_FAILED, naming the address', async () => {
    const log = createLogger('silent')
    const on = (port: number) =>
      new GatewayMetrics({ listen: { host: '127.0.0.1', port }, probeIntervalMs: 100, log })
    const first = on(0)
    const { port } = await first.start(new Map())
    const second = on(port)
    const err = await second.start(new Map()).then(() => undefined, (e: unknown) => e)
    await first.stop()
    await second.stop()
    expect(err).to.be.instanceOf(GatewayError)
    expect((err as GatewayError).code).to.equal(ErrorCode.METRICS_LISTEN_FAILED)
    const address = `127.0.0.1:${port}`
    expect((err as GatewayError).message).to.equal(`metrics.listen: cannot listen on ${address}: `
      + `listen EADDRINUSE: address already in use ${address}`)
  })
})
