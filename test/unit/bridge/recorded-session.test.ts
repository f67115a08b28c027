import { expect } from 'chai'

import { recordedSession } from '../../../src/bridge/recorded-session'
import type { SessionRequest } from '../../../src/ssh/types'

const REQUEST: SessionRequest = {
  sessionId: 'abc123',
  login: { raw: 'alice@web1.team', user: 'alice', container: 'web1', project: 'team' },
  kind: 'exec',
  command: 'top',
  forcedCommand: 'uptime',
  keyFingerprint: 'SHA256:xyz',
  terminal: { term: 'xterm', cols: 90, rows: 30 },
  env: { LANG: 'C.UTF-8' },
  client: { remoteAddress: '10.0.0.5', remotePort: 50000, localAddress: '::', localPort: 22 },
}

describe('recordedSession', () => {
  it('tells the recorder who, where and what, and nothing of the environment', () => {
    expect(recordedSession(REQUEST)).to.deep.equal({
      sessionId: 'abc123',
      login: 'alice@web1.team',
      user: 'alice',
      container: 'web1',
      project: 'team',
      keyFingerprint: 'SHA256:xyz',
      clientAddress: '10.0.0.5',
      kind: 'exec',
      command: 'top',
      forcedCommand: 'uptime',
      terminal: { term: 'xterm', cols: 90, rows: 30 },
    })
  })

  it('names root when the login names no user', () => {
    const login = { raw: 'web1', container: 'web1' }
    expect(recordedSession({ ...REQUEST, login }).user).to.equal('root')
  })
})
