import { DAEMONS } from '../helpers/daemons'
import { describeBackground } from './conformance/background'
import { describeDisconnect } from './conformance/disconnect'
import { describeEnv } from './conformance/env'
import { describeExitStatus } from './conformance/exit-status'
import { describeMultiplex } from './conformance/multiplex'
import { describePty } from './conformance/pty'
import { describeRequests } from './conformance/requests'
import { describeStreams } from './conformance/streams'
import { ConformanceSuite } from './conformance/suite'
import type { Daemon } from '../helpers/daemons'

/** The same behaviours, with real OpenSSH and ssh2 clients, against one real daemon. */
export function describeExecConformance(daemon: Daemon): void {
  describe(`exec conformance on ${daemon.name} (${daemon.socket})`, () => {
    const suite = new ConformanceSuite(daemon)

    before(async function () {
      this.timeout(30000)
      await suite.start()
    })

    after(async function () {
      this.timeout(30000)
      await suite.stop()
    })

    describeExitStatus(suite)
    describeStreams(suite)
    describePty(suite)
    describeEnv(suite)
    describeBackground(suite)
    describeMultiplex(suite)
    describeDisconnect(suite)
    describeRequests(suite)
  })
}

for (const daemon of DAEMONS) describeExecConformance(daemon)
