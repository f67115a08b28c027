import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAEMONS, findMarked, killMarked, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { uniqueSleep, uniqueWord } from '../helpers/markers'
import { runSsh, sshArgs, startSsh } from '../helpers/ssh'
import { sleep, waitFor, withTimeout } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'
import type { Running } from '../helpers/process'
import type { SshTarget } from '../helpers/ssh'

const CONTAINER = 'c1'

/** The limits under test, short enough for a test run. */
const IDLE_MS = 1500
const MAX_SESSION_MS = 2000
const KEEPALIVE = { keepaliveIntervalMs: 500, keepaliveCountMax: 2 }

/** How long a frozen client's command may outlive it: 3 silent intervals, then the cleanup. */
const FROZEN_DEADLINE_MS = 6000

/** A shell loop that prints a line every 300 ms, `count` times; `word` marks its process. */
function printingLoop(word: string, count: number): string {
  return `i=0; while [ $i -lt ${count} ]; do echo ${word} $i; i=$((i+1)); sleep 0.3; done`
}

/** How many processes of the container carry `marker`. */
async function countMarked(daemon: Daemon, marker: string): Promise<number> {
  return (await findMarked(daemon, CONTAINER, marker)).length
}

/** Resolves once no process of the container carries `marker`. */
async function waitUntilGone(daemon: Daemon, marker: string, timeoutMs: number): Promise<void> {
  const gone = async () => ((await countMarked(daemon, marker)) === 0 || undefined)
  await waitFor(`"${marker}" gone from ${CONTAINER}`, gone, timeoutMs, 200)
}

/** Resolves once a process of the container carries `marker`. */
async function waitUntilRunning(daemon: Daemon, marker: string): Promise<void> {
  const running = async () => ((await countMarked(daemon, marker)) > 0 || undefined)
  await waitFor(`"${marker}" running in ${CONTAINER}`, running, 10000, 200)
}

function describeTimeouts(daemon: Daemon): void {
  describe(`timeouts on ${daemon.name}`, function () {
    this.timeout(60000)
    const markers: string[] = []
    const gateways: Gateway[] = []
    const frozen: Running[] = []
    /** Shared by every gateway of the suite: an RSA host key takes a while to make. */
    let hostKeysDir: string

    async function gatewayWith(timeouts: Record<string, number>): Promise<Gateway> {
      const gateway = await startGateway({ backend: daemon.socket, hostKeysDir,
        config: { timeouts } })
      gateways.push(gateway)
      return gateway
    }

    before(async () => {
      await requireDaemon(daemon)
      hostKeysDir = await mkdtemp(join(tmpdir(), 'execgate-timeouts-keys-'))
    })

    after(async () => {
      await rm(hostKeysDir, { recursive: true, force: true })
    })

    afterEach(async () => {
      for (const client of frozen.splice(0)) await thaw(client)
      for (const marker of markers.splice(0)) await killMarked(daemon, CONTAINER, marker)
      for (const gateway of gateways.splice(0)) await gateway.stop()
    })

    describe('idle', () => {
      for (const args of [[], ['-tt']]) {
        const what = args.length ? 'a pty session' : 'a session'
        it(`ends ${what} that moves no data, with its reason and 255`, async () => {
          const gateway = await gatewayWith({ idleMs: IDLE_MS })
          const sleeper = uniqueSleep()
          markers.push(sleeper)

          const r = await runSsh(gateway, { user: CONTAINER, command: sleeper, args })

          const told = args.length ? r.stdout.toString() + r.stderr : r.stderr
          expect(told).to.include('execgate: session idle for 1.5 s, closing')
          expect(r.code, 'exit status').to.equal(255)
          expect(r.ms, 'ms until the session ended').to.be.within(IDLE_MS, IDLE_MS + 4000)
          await waitUntilGone(daemon, sleeper, 5000)
          const failed = await gateway.waitForLog('session_failed')
          expect(failed.code, 'logged code').to.equal('SESSION_IDLE_TIMEOUT')
          expect(failed.level, 'logged at info').to.equal(30)
        })
      }

      it('leaves a session alone that keeps printing for longer than the idle time', async () => {
        const gateway = await gatewayWith({ idleMs: IDLE_MS })
        const word = uniqueWord('busy')
        markers.push(word)

        const r = await runSsh(gateway, { user: CONTAINER, command: printingLoop(word, 10) })

        expect(r.stderr, 'stderr').to.equal('')
        expect(r.code, 'exit status').to.equal(0)
        expect(r.stdout.toString().trim().split('\n'), 'lines').to.have.length(10)
        expect(r.ms, 'ms the session ran').to.be.above(IDLE_MS * 2)
      })

      it('counts input as data: a client that keeps typing is not idle', async () => {
        const gateway = await gatewayWith({ idleMs: IDLE_MS })
        const word = uniqueWord('typing')
        markers.push(word)
        // `cat` prints nothing until its input ends; only the input moves, for 3 s.
        const command = `cat >/dev/null; echo ${word}`
        const r = await runFedSsh(gateway, command, 10, 300)

        expect(r.stderr, 'stderr').to.equal('')
        expect(r.stdout.toString(), 'stdout').to.equal(`${word}\n`)
        expect(r.code, 'exit status').to.equal(0)
      })
    })

    describe('maximum length', () => {
      it('ends a session that keeps printing, with its reason and 255', async () => {
        const gateway = await gatewayWith({ maxSessionMs: MAX_SESSION_MS })
        const word = uniqueWord('long')
        markers.push(word)

        const r = await runSsh(gateway, { user: CONTAINER, command: printingLoop(word, 100) })

        expect(r.stderr).to.include('execgate: session reached its maximum length of 2 s, closing')
        expect(r.code, 'exit status').to.equal(255)
        expect(r.stdout.toString(), 'what ran first').to.include(`${word} 0\n`)
        expect(r.ms, 'ms until the session ended').to.be.within(MAX_SESSION_MS, 6000)
        await waitUntilGone(daemon, word, 5000)
        const failed = await gateway.waitForLog('session_failed')
        expect(failed.code, 'logged code').to.equal('SESSION_TIME_LIMIT')
      })
    })

    describe('keepalive', () => {
      it('drops a frozen client and ends its command in the container', async () => {
        const gateway = await gatewayWith(KEEPALIVE)
        const sleeper = uniqueSleep()
        markers.push(sleeper)
        const client = startSsh(gateway, { user: CONTAINER, command: sleeper })
        frozen.push(client)
        await waitUntilRunning(daemon, sleeper)

        client.child.kill('SIGSTOP')
        const frozenAt = Date.now()
        await waitUntilGone(daemon, sleeper, FROZEN_DEADLINE_MS)

        expect(Date.now() - frozenAt, 'ms until the command was gone')
          .to.be.below(FROZEN_DEADLINE_MS)
        const unresponsive = await gateway.waitForLog('client_unresponsive')
        expect(unresponsive.sessions, 'sessions it had').to.equal(1)
        const ended = await gateway.waitForLog('session_ended')
        expect(ended.clientGone, 'ended as a client gone').to.equal(true)
      })

      it('keeps the session of an idle client that answers the probes', async () => {
        const gateway = await gatewayWith(KEEPALIVE)
        const word = uniqueWord('alive')
        markers.push(word)

        // 4 s is more than 2 unanswered probes allow: only answered probes keep it.
        const r = await runSsh(gateway, { user: CONTAINER, command: `sleep 4; echo ${word}` })

        expect(r.stderr, 'stderr').to.equal('')
        expect(r.stdout.toString(), 'stdout').to.equal(`${word}\n`)
        expect(r.code, 'exit status').to.equal(0)
        expect(gateway.events('client_unresponsive'), 'client_unresponsive lines').to.have.length(0)
      })
    })
  })
}

/** Lets a stopped client go on and kills it, so that nothing of a test outlives it. */
async function thaw(client: Running): Promise<void> {
  client.child.kill('SIGCONT')
  client.child.kill('SIGKILL')
  await client.done
}

/** Runs `ssh` with a line on its stdin every `everyMs`, `count` times, then EOF. */
async function runFedSsh(target: SshTarget, command: string, count: number, everyMs: number) {
  const child = spawn('ssh', sshArgs(target, { user: CONTAINER, command }))
  let [stdout, stderr] = ['', '']
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve))

  for (let i = 0; i < count; i++) {
    child.stdin.write(`line ${i}\n`)
    await sleep(everyMs)
  }
  child.stdin.end()
  const code = await withTimeout(closed, 15000, 'ssh to exit')
  return { code, stdout, stderr }
}

for (const daemon of DAEMONS) describeTimeouts(daemon)
