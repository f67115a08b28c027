import { expect } from 'chai'
import { killMarked } from '../../helpers/daemons'
import { uniqueSleep, uniqueWord } from '../../helpers/markers'
import { CONTAINER, DRAIN_DEADLINE_MS } from './suite'
import type { ConformanceSuite } from './suite'

/** Background jobs must not hold a session open. */
export function describeBackground(suite: ConformanceSuite): void {
  describe('background jobs', () => {
    const markers: string[] = []

    afterEach(async () => {
      for (const marker of markers.splice(0)) {
        await killMarked(suite.daemon, CONTAINER, marker)
      }
    })

    it('returns within 3 s from a command that leaves a background job', async () => {
      const sleep = mark(markers, uniqueSleep())
      const r = await suite.ssh(`${sleep} & echo started`)
      expect(r.stdout.toString(), 'stdout').to.equal('started\n')
      expect(r.ms, 'duration in ms').to.be.below(DRAIN_DEADLINE_MS)
      expect(r.code, 'exit status').to.equal(0)
    })

    it('reports the exit status of a command that leaves a background job', async () => {
      const sleep = mark(markers, uniqueSleep())
      const r = await suite.ssh(`${sleep} & exit 3`)
      expect(r.ms, 'duration in ms').to.be.below(DRAIN_DEADLINE_MS)
      expect(r.code, 'exit status').to.equal(3)
    })

    it('ends an interactive shell that leaves a background job within 3 s', async () => {
      const word = mark(markers, uniqueWord('bg'))
      const r = await suite.ssh(undefined, {
        args: ['-tt'],
        stdin: Buffer.from(`yes ${word} >/dev/null &\nexit\n`),
        timeoutMs: 20000,
      })
      expect(r.ms, 'duration in ms').to.be.below(DRAIN_DEADLINE_MS)
      expect(r.code, 'exit status').to.equal(0)
    })
  })
}

function mark(markers: string[], marker: string): string {
  markers.push(marker)
  return marker
}
