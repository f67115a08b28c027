import { expect } from 'chai'

import { sessionEnvironment } from '../../../src/bridge/environment'
import type { InstanceUser } from '../../../src/backend/types'
import type { SessionRequest } from '../../../src/ssh/types'

const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const USER_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/games'

const ALICE: InstanceUser = { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice',
  shell: '/bin/bash' }
const ROOT: InstanceUser = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' }

function request(overrides: Partial<SessionRequest> = {}): SessionRequest {
  return {
    sessionId: 'session-1',
    login: { raw: 'alice@web1', user: 'alice', container: 'web1' },
    kind: 'exec',
    command: 'uname -a',
    env: {},
    client: {
      remoteAddress: '192.0.2.10',
      remotePort: 50022,
      localAddress: '198.51.100.1',
      localPort: 2222,
    },
    ...overrides,
  }
}

describe('sessionEnvironment', () => {
  it('gives a user the variables sshd sets, with the user PATH', () => {
    expect(sessionEnvironment(request(), ALICE)).to.deep.equal({
      USER: 'alice',
      LOGNAME: 'alice',
      HOME: '/home/alice',
      SHELL: '/bin/bash',
      PATH: USER_PATH,
      SSH_CLIENT: '192.0.2.10 50022 2222',
      SSH_CONNECTION: '192.0.2.10 50022 198.51.100.1 2222',
    })
  })

  it('gives uid 0 the root PATH', () => {
    const env = sessionEnvironment(request(), ROOT)
    expect(env.PATH).to.equal(ROOT_PATH)
    expect(env.USER).to.equal('root')
    expect(env.HOME).to.equal('/root')
    expect(env.SHELL).to.equal('/bin/sh')
  })

  it('chooses the PATH by uid, not by name', () => {
    const toor: InstanceUser = { ...ROOT, name: 'toor' }
    const fakeRoot: InstanceUser = { ...ALICE, name: 'root' }
    expect(sessionEnvironment(request(), toor).PATH, 'toor uid 0').to.equal(ROOT_PATH)
    expect(sessionEnvironment(request(), fakeRoot).PATH, 'root uid 1000').to.equal(USER_PATH)
  })

  it('formats SSH_CONNECTION and SSH_CLIENT for IPv6 addresses without brackets', () => {
    const env = sessionEnvironment(request({
      client: { remoteAddress: '2001:db8::1', remotePort: 40000, localAddress: '2001:db8::2',
        localPort: 22 },
    }), ALICE)
    expect(env.SSH_CONNECTION).to.equal('2001:db8::1 40000 2001:db8::2 22')
    expect(env.SSH_CLIENT).to.equal('2001:db8::1 40000 22')
  })

  it('sets TERM from the terminal request', () => {
    const env = sessionEnvironment(request({
      kind: 'shell',
      command: undefined,
      terminal: { term: 'xterm-256color', cols: 80, rows: 24 },
    }), ALICE)
    expect(env.TERM).to.equal('xterm-256color')
  })

  it('sets no TERM without a terminal', () => {
    const env = sessionEnvironment(request({ kind: 'shell', command: undefined }), ALICE)
    expect(Object.keys(env)).to.not.include('TERM')
  })

  it('adds the variables the client sent and the policy accepted', () => {
    const env = sessionEnvironment(request({ env: { LANG: 'de_DE.UTF-8', LC_TIME: 'C' } }), ALICE)
    expect(env).to.deep.equal({
      USER: 'alice',
      LOGNAME: 'alice',
      HOME: '/home/alice',
      SHELL: '/bin/bash',
      PATH: USER_PATH,
      SSH_CLIENT: '192.0.2.10 50022 2222',
      SSH_CONNECTION: '192.0.2.10 50022 198.51.100.1 2222',
      LANG: 'de_DE.UTF-8',
      LC_TIME: 'C',
    })
  })

  it('keeps its own variables over client-sent ones of the same name, as sshd does', () => {
    const sent = {
      USER: 'root',
      LOGNAME: 'root',
      HOME: '/root',
      SHELL: '/bin/evil',
      PATH: '/tmp/evil',
      SSH_CLIENT: '203.0.113.9 1 22',
      SSH_CONNECTION: '203.0.113.9 1 203.0.113.10 22',
    }
    const env = sessionEnvironment(request({ env: sent }), ALICE)
    expect(env).to.deep.equal({
      USER: 'alice',
      LOGNAME: 'alice',
      HOME: '/home/alice',
      SHELL: '/bin/bash',
      PATH: USER_PATH,
      SSH_CLIENT: '192.0.2.10 50022 2222',
      SSH_CONNECTION: '192.0.2.10 50022 198.51.100.1 2222',
    })
  })

  it('does not change the request', () => {
    const req = request({ env: { LANG: 'C' } })
    sessionEnvironment(req, ALICE)
    expect(req.env).to.deep.equal({ LANG: 'C' })
  })
})
