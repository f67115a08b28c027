import { expect } from 'chai'
import { containerPs, killMarked } from '../../helpers/daemons'
import { startSsh } from '../../helpers/ssh'
import { waitFor } from '../../helpers/wait'
import { uniqueSleep } from '../../helpers/markers'
import { CONTAINER } from './suite'
import type { ConformanceSuite } from './suite'

/** How long a killed client's commands may outlive it. */
const CLEANUP_DEADLINE_MS = 5500

/** A client that vanishes must not leave its commands running. */
export function describeDisconnect(suite: ConformanceSuite): void {
  describe('killed client', () => {
    const markers: string[] = []

    afterEach(async () => {
      for (const marker of markers.splice(0)) {
        await killMarked(suite.daemon, CONTAINER, marker)
      }
    })

    it('ends the command of a killed client within 5 s', async () => {
      const sleep = uniqueSleep()
      markers.push(sleep)
      await expectKilledClientCleanup(suite, sleep, [], [sleep])
    })

    it('ends the background jobs of a killed client within 5 s', async () => {
      const [background, foreground] = [uniqueSleep(), uniqueSleep()]
      markers.push(background, foreground)
      await expectKilledClientCleanup(suite, `${background} & ${foreground}`, [],
        [background, foreground])
    })

    it('ends the pty command of a killed client within 5 s', async () => {
      const sleep = uniqueSleep()
      markers.push(sleep)
      await expectKilledClientCleanup(suite, sleep, ['-tt'], [sleep])
    })
  })
}

async function expectKilledClientCleanup(
  suite: ConformanceSuite,
  command: string,
  args: string[],
  markers: string[],
): Promise<void> {
  const client = startSsh(suite.gateway, { user: CONTAINER, command, args })
  const running = async () => ((await present(suite, markers)).every(Boolean) || undefined)
  await waitFor(`${markers.join(', ')} running in ${CONTAINER}`, running, 10000, 200)
  client.child.kill('SIGKILL')
  await client.done
  const killedAt = Date.now()
  const gone = async () => (!(await present(suite, markers)).some(Boolean) || undefined)
  await waitFor(`${markers.join(', ')} gone from ${CONTAINER}`, gone, CLEANUP_DEADLINE_MS, 200)
  expect(Date.now() - killedAt, 'ms until the commands were gone').to.be.below(CLEANUP_DEADLINE_MS)
}

// Which of the markers some process in the container still carries.
async function present(suite: ConformanceSuite, markers: string[]): Promise<boolean[]> {
  const processes = await containerPs(suite.daemon, CONTAINER)
  return markers.map((m) => processes.some((p) => p.args.includes(m)))
}
