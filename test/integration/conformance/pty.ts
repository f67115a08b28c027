import { expect } from 'chai'
import { connectSsh2, execSsh2 } from '../../helpers/ssh2-client'
import { sleep } from '../../helpers/wait'
import { CONTAINER } from './suite'
import type { Client } from 'ssh2'
import type { ConformanceSuite } from './suite'

/** Sessions with a pty: TERM, size, window-change, and a shell without a command. */
export function describePty(suite: ConformanceSuite): void {
  describe('pty', () => {
    let conn: Client | undefined

    afterEach(() => {
      conn?.end()
      conn = undefined
    })

    it('takes TERM from the pty request and gives the command a terminal', async () => {
      // The trailing sleep keeps this test about TERM: LXD 5.0.2 can drop the last output of a
      // pty command that exits at once, which the next test is about.
      const r = await suite.ssh('echo "$TERM"; stty size; test -t 0 && echo tty; sleep 0.2', {
        args: ['-tt'],
        env: { TERM: 'xterm-256color' },
      })
      const lines = r.stdout.toString().split('\r\n')
      expect(lines[0], 'TERM').to.equal('xterm-256color')
      expect(lines[1], 'stty size').to.match(/^\d+ \d+$/)
      expect(lines[2], 'stdin is a terminal').to.equal('tty')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('delivers the whole output of 40 pty commands that exit at once', async function () {
      this.timeout(60000)
      const expected = Array.from({ length: 10000 }, (_, i) => `${i + 1}\r\n`).join('')
      const truncated: string[] = []
      for (let i = 0; i < 40; i++) {
        const r = await suite.ssh('seq 1 10000', { args: ['-tt'] })
        if (r.stdout.toString() !== expected) truncated.push(describeTail(r.stdout))
      }
      expect(truncated, 'runs whose output differs (their last bytes)').to.deep.equal([])
    })

    it('runs an interactive shell when no command is given', async () => {
      // The sleep before exit: LXD 5.0.2 can drop the last output of a pty process that exits
      // at once (1 run in 30 here lost everything after the banner), which the README's
      // Limitations name; this test is about the shell and its status.
      const r = await suite.ssh(undefined, {
        args: ['-tt'],
        stdin: Buffer.from('echo "shell-$((6 * 7))"; sleep 0.2\nexit 4\n'),
      })
      expect(r.stdout.toString(), 'output').to.include('shell-42')
      expect(r.code, 'exit status').to.equal(4)
    })

    it('gives the command the pty size of the request', async () => {
      conn = await connectSsh2(suite.gateway, CONTAINER)
      const pty = { rows: 33, cols: 101, term: 'xterm' }
      const run = await execSsh2(conn, 'stty size; sleep 0.2', { pty })
      const exit = await run.waitForClose()
      expect(run.output().trim(), 'stty size').to.equal('33 101')
      expect(exit.code, 'exit status').to.equal(0)
    })

    it('resizes the pty on window-change', async () => {
      conn = await connectSsh2(suite.gateway, CONTAINER)
      const command = 'stty size; while read line; do stty size; done'
      const run = await execSsh2(conn, command, { pty: { rows: 24, cols: 80, term: 'xterm' } })
      await run.waitForOutput(/24 80/)
      run.channel.setWindow(43, 132, 0, 0)
      await pokeUntil(run.channel, () => run.output().includes('43 132'))
      run.channel.write('\x04')
      const exit = await run.waitForClose()
      expect(run.output(), 'output after the resize').to.include('43 132')
      expect(exit.code, 'exit status').to.equal(0)
    })
  })
}

function describeTail(output: Buffer): string {
  return `${output.length} bytes ending ${JSON.stringify(output.subarray(-12).toString())}`
}

// A resize and the data after it travel on different backend sockets, so keep asking.
async function pokeUntil(channel: NodeJS.WritableStream, done: () => boolean): Promise<void> {
  for (let i = 0; i < 25 && !done(); i++) {
    channel.write('\n')
    await sleep(200)
  }
}
