import { expect } from 'chai'
import {
  DAEMONS, findMarked, killMarked, requireDaemon, runningOperations,
} from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { writeFigure } from '../helpers/hardening'
import { uniqueWord } from '../helpers/markers'
import { runOk, start } from '../helpers/process'
import { startResetProxy } from '../helpers/reset-proxy'
import { runSsh, sshArgs } from '../helpers/ssh'
import { sleep, waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'
import type { Running } from '../helpers/process'
import type { ResetProxy } from '../helpers/reset-proxy'

/** How long a reset client's command, operation and sockets may outlive it. */
const DEADLINE_MS = 5000

const CONTAINER = 'c1'

/** What each case runs; MARK is replaced by a word that names its process in the container. */
const CASES: { name: string; command: string; args: string[]; feed?: string; typed?: string }[] = [
  { name: 'a download', command: 'yes MARK', args: [] },
  // cat reads all of stdin before it tries the file named MARK, so it is the one to find.
  { name: 'an upload', command: 'cat - MARK >/dev/null', args: [],
    feed: 'head -c 4294967296 /dev/zero' },
  { name: 'a shell', command: '', args: ['-tt'], typed: 'sh -c "sleep 600; : MARK"\n' },
]

/** The gateway's open unix sockets: its stdio, pooled daemon requests and exec websockets. */
async function gatewaySockets(gateway: Gateway): Promise<number> {
  const listing = await runOk('ss', ['-xpn'])
  const owner = `pid=${gateway.child.pid},`
  return listing.split('\n').filter((line) => line.includes(owner)).length
}

function startCase(target: { port: number; keyPath: string }, test: (typeof CASES)[number],
  marker: string): Running {
  const command = test.command.replace('MARK', marker)
  const args = sshArgs(target, { user: CONTAINER, command: command || undefined, args: test.args })
  if (test.feed) {
    return start('bash', ['-c', `${test.feed} | ssh "$@"`, 'ssh-fed', ...args],
      { keepStdout: false })
  }
  const typed = test.typed?.replace('MARK', marker)
  return start('ssh', args, { keepStdout: false, stdin: typed ? Buffer.from(typed) : undefined })
}

function describeClientReset(daemon: Daemon): void {
  describe(`a client reset mid-session, on ${daemon.name}`, function () {
    this.timeout(60000)
    let gateway: Gateway
    let proxy: ResetProxy
    let baselineSockets: number
    const markers: string[] = []

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      gateway = await startGateway({ backend: daemon.socket })
      proxy = await startResetProxy(gateway.port)
      // One reset session first: its clean-up requests run beside the operation's wait, which
      // grows the pool of idle daemon connections by one. Websockets left open would add to
      // the count with every case instead.
      const warm = startCase({ port: proxy.port, keyPath: gateway.keyPath }, CASES[0], 'warm')
      await sleep(1500)
      proxy.resetAll()
      await warm.done
      await sleep(DEADLINE_MS)
      baselineSockets = await gatewaySockets(gateway)
    })

    afterEach(async () => {
      for (const marker of markers.splice(0)) await killMarked(daemon, CONTAINER, marker)
    })

    after(async function () {
      this.timeout(30000)
      await proxy?.close()
      await gateway?.stop()
    })

    for (const test of CASES) {
      it(`leaves nothing of ${test.name} behind: process, operation, websockets`, async () => {
        const marker = uniqueWord('reset')
        markers.push(marker)
        const client = startCase({ port: proxy.port, keyPath: gateway.keyPath }, test, marker)
        await waitFor(`${marker} running`, async () =>
          ((await findMarked(daemon, CONTAINER, marker)).length > 0 || undefined), 10000, 200)
        const during = await runningOperations(daemon, CONTAINER)
        expect(during, 'operations while it runs').to.not.be.empty
        await sleep(1000)

        proxy.resetAll()
        const resetAt = Date.now()
        let seen = ''
        await waitFor('the command, its operation and its websockets to be gone', async () => {
          const left = await findMarked(daemon, CONTAINER, marker)
          const operations = await runningOperations(daemon, CONTAINER)
          const sockets = await gatewaySockets(gateway)
          seen = `${left.length} processes, ${operations.length} operations, ` +
            `${sockets} sockets (${baselineSockets} before)`
          return (left.length === 0 && operations.length === 0 && sockets <= baselineSockets) ||
            undefined
        }, DEADLINE_MS, 200).catch((err: Error) => {
          throw new Error(`${err.message}; last seen: ${seen}`)
        })

        const goneMs = Date.now() - resetAt
        expect(goneMs, 'ms until all was gone').to.be.below(DEADLINE_MS)
        writeFigure(`client-reset-${daemon.name}`, { case: test.name, goneMs })
        await client.done
        const after = await runSsh(gateway, { user: CONTAINER, command: 'echo still' })
        expect(after.stdout.toString(), after.stderr).to.equal('still\n')
      })
    }
  })
}

for (const daemon of DAEMONS) describeClientReset(daemon)
