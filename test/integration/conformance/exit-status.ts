import { expect } from 'chai'
import { runSsh } from '../../helpers/ssh'
import type { ConformanceSuite } from './suite'

/** Exit statuses, the shell commands run in, and refused containers. */
export function describeExitStatus(suite: ConformanceSuite): void {
  describe('exit status', () => {
    it('reports exit status 0 for a command that succeeds', async () => {
      const r = await suite.ssh('true')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('reports exit status 3 for `exit 3`', async () => {
      const r = await suite.ssh('exit 3')
      expect(r.code, 'exit status').to.equal(3)
    })

    it('reports a SIGKILL death as exit status 137', async () => {
      const r = await suite.ssh('kill -9 $$')
      expect(r.code, 'exit status').to.equal(137)
    })

    it('reports a SIGTERM death as exit status 143', async () => {
      const r = await suite.ssh('kill -TERM $$')
      expect(r.code, 'exit status').to.equal(143)
    })

    it('reports 127 and the shell\'s message for a command that is not found', async () => {
      const r = await suite.ssh('no-such-command-here')
      expect(r.code, 'exit status').to.equal(127)
      expect(r.stderr, 'stderr').to.match(/no-such-command-here: not found/)
    })

    it('reports 126 and 127 when the command exits with them itself', async () => {
      expect((await suite.ssh('exit 126')).code, 'exit 126').to.equal(126)
      expect((await suite.ssh('exit 127')).code, 'exit 127').to.equal(127)
    })

    it('reports 255 when the command exits with it, with nothing from the gateway', async () => {
      const r = await suite.ssh('exit 255')
      expect(r.code, 'exit status').to.equal(255)
      expect(r.stderr, 'stderr').to.equal('')
    })
  })

  describe('command', () => {
    it('runs the command through sh -c as root in $HOME', async () => {
      const r = await suite.ssh('id -u; echo "$HOME"; pwd; echo a b c | wc -w')
      expect(r.stdout.toString(), 'stdout').to.equal('0\n/root\n/root\n3\n')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('runs the command in the container named by the login', async () => {
      const r = await runSsh(suite.gateway, { user: 'c2', command: 'hostname' })
      expect(r.stdout.toString(), 'stdout').to.equal('c2\n')
      expect(r.code, 'exit status').to.equal(0)
    })
  })

  describe('refused containers', () => {
    it('refuses an unknown container with one stderr line and status 255', async () => {
      const r = await runSsh(suite.gateway, { user: 'no-such-container', command: 'true' })
      expectOneLine(r.stderr, 'no-such-container', 'not found')
      expect(r.stdout.length, 'stdout bytes').to.equal(0)
      expect(r.code, 'exit status').to.equal(255)
    })

    it('refuses a stopped container with one stderr line and status 255', async () => {
      const r = await runSsh(suite.gateway, { user: 'stopped1', command: 'true' })
      expectOneLine(r.stderr, 'stopped1', 'not running')
      expect(r.stdout.length, 'stdout bytes').to.equal(0)
      expect(r.code, 'exit status').to.equal(255)
    })

    it('keeps serving other sessions after refusing one', async () => {
      await runSsh(suite.gateway, { user: 'no-such-container', command: 'true' })
      const r = await suite.ssh('echo still-here')
      expect(r.stdout.toString(), 'stdout').to.equal('still-here\n')
    })
  })
}

function expectOneLine(stderr: string, container: string, reason: string): void {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines, `stderr lines: ${JSON.stringify(stderr)}`).to.have.length(1)
  expect(lines[0], 'stderr names the container').to.include(container)
  expect(lines[0], 'stderr gives the reason').to.include(reason)
}
