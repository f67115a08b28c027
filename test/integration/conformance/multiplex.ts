import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { startSsh } from '../../helpers/ssh'
import { waitFor } from '../../helpers/wait'
import { CONTAINER } from './suite'
import type { Running } from '../../helpers/process'
import type { ConformanceSuite } from './suite'

/** OpenSSH connection sharing: several sessions on one connection. */
export function describeMultiplex(suite: ConformanceSuite): void {
  describe('ControlMaster', () => {
    let dir = ''
    let master: Running | undefined

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'execgate-cm-'))
    })

    afterEach(async () => {
      master?.child.kill('SIGTERM')
      await master?.done
      master = undefined
      await rm(dir, { recursive: true, force: true })
    })

    it('runs three concurrent sessions over one connection independently', async () => {
      const controlPath = join(dir, 'cm')
      const opened = suite.gateway.events('connection_opened').length
      master = startSsh(suite.gateway, { user: CONTAINER, args: masterArgs(controlPath) })
      await waitForMaster(suite, controlPath)
      const startedAt = Date.now()
      const [a, b, c] = await Promise.all([
        suite.ssh('sleep 2; echo a', { args: sessionArgs(controlPath) }),
        suite.ssh('sleep 1; kill -9 $$', { args: sessionArgs(controlPath) }),
        suite.ssh('sleep 2; echo c >&2; exit 4', { args: sessionArgs(controlPath) }),
      ])
      const elapsed = Date.now() - startedAt
      expect([a.code, b.code, c.code], 'exit statuses').to.deep.equal([0, 137, 4])
      expect(a.stdout.toString(), 'stdout of the first').to.equal('a\n')
      expect(c.stderr, 'stderr of the third').to.equal('c\n')
      expect(elapsed, 'ms for three 2 s sessions').to.be.below(4500)
      const newConnections = suite.gateway.events('connection_opened').length - opened
      expect(newConnections, 'connections opened').to.equal(1)
    })
  })
}

function masterArgs(controlPath: string): string[] {
  return ['-M', '-N', '-o', `ControlPath=${controlPath}`]
}

function sessionArgs(controlPath: string): string[] {
  return ['-o', 'ControlMaster=no', '-o', `ControlPath=${controlPath}`]
}

async function waitForMaster(suite: ConformanceSuite, controlPath: string): Promise<void> {
  const check = async () => {
    const args = ['-O', 'check', ...sessionArgs(controlPath)]
    const r = await suite.ssh(undefined, { args })
    return r.code === 0 ? true : undefined
  }
  await waitFor('the ControlMaster to accept sessions', check, 10000, 200)
}
