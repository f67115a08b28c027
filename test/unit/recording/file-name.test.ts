import { expect } from 'chai'

import { recordingPath } from '../../../src/recording/file-name'
import type { RecordedSession } from '../../../src/recording/types'

const SESSION: RecordedSession = {
  sessionId: '0a1b2c3d4e5f',
  login: 'alice@web1',
  user: 'alice',
  container: 'web1',
  clientAddress: '127.0.0.1',
  kind: 'shell',
}

const AT = new Date('2026-12-04T04:05:06.789Z')

describe('recordingPath', () => {
  it('puts a session under its UTC day, named by time, container, user and id', () => {
    expect(recordingPath('/rec', AT, SESSION)).to.equal(
      '/rec/2026-12-04/20261204T040506Z_web1_alice_0a1b2c3d4e5f.cast')
  })

  it('names the project when the login has one', () => {
    const path = recordingPath('/rec', AT, { ...SESSION, project: 'team' })
    expect(path).to.equal('/rec/2026-12-04/20261204T040506Z_web1.team_alice_0a1b2c3d4e5f.cast')
  })

  it('keeps a user name from leaving the folder', () => {
    expect(recordingPath('/rec', AT, { ...SESSION, user: '../../etc/x' })).to.equal(
      '/rec/2026-12-04/20261204T040506Z_web1_..-..-etc-x_0a1b2c3d4e5f.cast')
    expect(recordingPath('/rec', AT, { ...SESSION, user: '..' })).to.equal(
      '/rec/2026-12-04/20261204T040506Z_web1_-_0a1b2c3d4e5f.cast')
  })
})
