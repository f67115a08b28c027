import { expect } from 'chai'

import { observeRequests } from '../../../../src/backend/lxd/observe'
import type { DaemonHttp, RequestListener } from '../../../../src/backend/lxd/http'
import type { BackendObserver } from '../../../../src/metrics/observer'

/** Records what the observer is told for each request a DaemonHttp would report. */
function observed(statusCode: number, route = '/1.0/instances/:name/files') {
  const told: string[] = []
  let listener: RequestListener | undefined
  const http = { listen: (l: RequestListener) => (listener = l) } as unknown as DaemonHttp
  const observer: BackendObserver = {
    requestFinished: (r) => told.push(`finished ${r.daemon} ${r.method} ${r.route}`),
    requestFailed: (daemon, failure) => told.push(`failed ${daemon} ${failure}`),
  }
  observeRequests(http, observer, 'incus')
  listener?.({ method: 'GET', route, durationSeconds: 0.01, statusCode })
  return told
}

describe('observeRequests', () => {
  it('reports an answered request with its daemon, method and route', () => {
    expect(observed(200)).to.deep.equal(['finished incus GET /1.0/instances/:name/files'])
  })

  it('counts a 4xx as an answer: a missing file is asked about in the normal course', () => {
    expect(observed(404)).to.deep.equal(['finished incus GET /1.0/instances/:name/files'])
  })

  it('reports a 5xx as a server error, and still its latency', () => {
    expect(observed(500)).to.deep.equal([
      'failed incus server_error',
      'finished incus GET /1.0/instances/:name/files',
    ])
  })

  it('reports a request without an answer as unreachable, with no latency', () => {
    expect(observed(0)).to.deep.equal(['failed incus unreachable'])
  })

  it('leaves waits on operations out of the latency', () => {
    expect(observed(200, '/1.0/operations/:name/wait')).to.deep.equal([])
    expect(observed(0, '/1.0/operations/:name/wait')).to.deep.equal(['failed incus unreachable'])
  })
})
