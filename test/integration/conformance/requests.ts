import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { startAgent } from '../../helpers/agent'
import { containerPs, killMarked } from '../../helpers/daemons'
import { connectSsh2, execSsh2 } from '../../helpers/ssh2-client'
import { waitFor } from '../../helpers/wait'
import { uniqueSleep } from '../../helpers/markers'
import { CONTAINER } from './suite'
import type { Client } from 'ssh2'
import type { ConformanceSuite } from './suite'

/** Channel requests besides exec: signal, and the ones the gateway refuses. */
export function describeRequests(suite: ConformanceSuite): void {
  describe('signal request', () => {
    let conn: Client | undefined
    let sleep = ''

    afterEach(async () => {
      conn?.end()
      conn = undefined
      if (sleep) await killMarked(suite.daemon, CONTAINER, sleep)
    })

    it('delivers a TERM signal request, reported as exit status 143', async () => {
      sleep = uniqueSleep()
      conn = await connectSsh2(suite.gateway, CONTAINER)
      const run = await execSsh2(conn, sleep)
      await waitFor(`${sleep} running`, () => isRunning(suite, sleep), 10000, 200)
      run.channel.signal('TERM')
      const exit = await run.waitForClose()
      expect(exit.code, 'exit status').to.equal(143)
    })
  })

  describe('refused requests', () => {
    it('runs the command when X11 forwarding is requested and refused', async () => {
      const r = await suite.ssh('echo ran', {
        args: ['-v', '-Y'],
        env: { DISPLAY: '127.0.0.1:42', XAUTHORITY: '/nonexistent/.Xauthority' },
      })
      expect(r.stderr, 'the client asked for X11').to.include('Requesting X11 forwarding')
      expect(r.stderr, 'the gateway refused X11').to.include('X11 forwarding request failed')
      expect(r.stdout.toString(), 'stdout').to.equal('ran\n')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('runs the command when agent forwarding is requested', async () => {
      const r = await withAgent((socket) => suite.ssh('echo ran; echo "${SSH_AUTH_SOCK-none}"', {
        args: ['-v', '-A'],
        env: { SSH_AUTH_SOCK: socket },
      }))
      expect(r.stderr, 'the client asked for the agent')
        .to.include('Requesting authentication agent forwarding')
      expect(r.stdout.toString(), 'stdout').to.equal('ran\nnone\n')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('refuses an unknown subsystem and keeps serving', async () => {
      const r = await suite.ssh('no-such-subsystem', { args: ['-s'] })
      expect(r.stderr, 'ssh stderr').to.include('subsystem request failed')
      expect(r.code, 'ssh exit status').to.not.equal(0)
      const after = await suite.ssh('echo still-here')
      expect(after.stdout.toString(), 'a later session').to.equal('still-here\n')
    })
  })
}

async function withAgent<T>(use: (socket: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'execgate-agent-'))
  const agent = await startAgent(dir)
  try {
    return await use(agent.socket)
  } finally {
    await agent.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

async function isRunning(suite: ConformanceSuite, marker: string) {
  const processes = await containerPs(suite.daemon, CONTAINER)
  return processes.some((p) => p.args.includes(marker)) ? true : undefined
}
