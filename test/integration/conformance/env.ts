import { expect } from 'chai'
import { startGateway } from '../../helpers/gateway'
import { SECRET_ENV_VALUE } from '../../helpers/log-scan'
import { runSsh } from '../../helpers/ssh'
import { CONTAINER } from './suite'
import type { Gateway } from '../../helpers/gateway'
import type { ConformanceSuite } from './suite'

/** `env` requests: the default allow-list and one set in the config file. */
export function describeEnv(suite: ConformanceSuite): void {
  describe('env requests', () => {
    it('accepts LANG sent with SendEnv', async () => {
      const r = await suite.ssh('echo "$LANG"', {
        args: ['-o', 'SendEnv=LANG'],
        env: { LANG: 'fr_FR.UTF-8' },
      })
      expect(r.stdout.toString(), 'LANG').to.equal('fr_FR.UTF-8\n')
    })

    it('accepts LC_* variables sent with SetEnv', async () => {
      const args = ['-o', `SetEnv=LC_TIME=${SECRET_ENV_VALUE}`]
      const r = await suite.ssh('echo "$LC_TIME"', { args })
      expect(r.stdout.toString(), 'LC_TIME').to.equal(`${SECRET_ENV_VALUE}\n`)
    })

    it('refuses other variables and still runs the command', async () => {
      const args = ['-o', `SetEnv=FOO=${SECRET_ENV_VALUE}`]
      const r = await suite.ssh('echo "${FOO-unset}"', { args })
      expect(r.stdout.toString(), 'FOO').to.equal('unset\n')
      expect(r.code, 'exit status').to.equal(0)
    })
  })

  describe('env requests with ssh.acceptEnv in the config', () => {
    let gateway: Gateway | undefined

    before(async () => {
      const config = { ssh: { acceptEnv: ['LANG', 'LC_*', 'FOO'] } }
      gateway = await startGateway({ backend: suite.daemon.socket, config })
    })

    after(async () => {
      await gateway?.stop()
    })

    it('accepts a variable the config lists', async () => {
      const r = await runSsh(gateway!, {
        user: CONTAINER, command: 'echo "${FOO-unset}"', args: ['-o', 'SetEnv=FOO=bar'],
      })
      expect(r.stdout.toString(), 'FOO').to.equal('bar\n')
    })

    it('refuses a variable the config does not list', async () => {
      const r = await runSsh(gateway!, {
        user: CONTAINER, command: 'echo "${BAR-unset}"', args: ['-o', 'SetEnv=BAR=baz'],
      })
      expect(r.stdout.toString(), 'BAR').to.equal('unset\n')
    })
  })
}
