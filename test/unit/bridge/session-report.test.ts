import { expect } from 'chai'

import { clientStatus, sessionKind, sessionOutcome } from '../../../src/bridge/session-report'
import type { SessionRequest } from '../../../src/ssh/types'

function request(kind: SessionRequest['kind'], command?: string): SessionRequest {
  return {
    sessionId: 'id',
    login: { raw: 'c1', container: 'c1' },
    kind,
    command,
    env: {},
    client: { remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '', localPort: 2 },
  }
}

describe('session report', () => {
  describe('sessionKind', () => {
    it('counts shell and exec as they are', () => {
      expect(sessionKind(request('shell'))).to.equal('shell')
      expect(sessionKind(request('exec', 'true'))).to.equal('exec')
    })

    it('names sftp, and no other subsystem a client may make up', () => {
      expect(sessionKind(request('subsystem', 'sftp'))).to.equal('sftp')
      expect(sessionKind(request('subsystem', 'anything-at-all'))).to.equal('subsystem')
    })
  })

  describe('sessionOutcome', () => {
    it('is exited without a failure, the code in lower case with one', () => {
      expect(sessionOutcome(false, undefined)).to.equal('exited')
      expect(sessionOutcome(false, 'INSTANCE_NOT_FOUND')).to.equal('instance_not_found')
    })

    it('is client_gone when the client left, whatever failed after', () => {
      expect(sessionOutcome(true, undefined)).to.equal('client_gone')
      expect(sessionOutcome(true, 'EXEC_LOST')).to.equal('client_gone')
    })
  })

  describe('clientStatus', () => {
    it('is the status the client is sent', () => {
      expect(clientStatus(0)).to.equal(0)
      expect(clientStatus(137)).to.equal(137)
      expect(clientStatus(-1), 'LXD -1').to.equal(255)
      expect(clientStatus(300)).to.equal(255)
    })
  })
})
