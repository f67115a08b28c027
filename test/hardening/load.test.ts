import { expect } from 'chai'
import { createCipheriv, createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { DAEMONS } from '../helpers/daemons'
import { runOk, start } from '../helpers/process'
import { FULL, gatewayForSuite, gatewayRssKiB, writeFigure } from '../helpers/hardening'
import { sshArgs } from '../helpers/ssh'
import { sleep, waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'

/** Sessions at once; the figure in both runs. */
const SESSIONS = 200

/** Bytes each session sends, and so gets back; 20 MB in the full run, 2 MB in CI's. */
const BYTES = (FULL ? 20 : 2) * 1024 * 1024

/** Connections are opened 20 at a time, 250 ms apart, below the unauthenticated cap. */
const OPEN_BATCH = 20
const OPEN_GAP_MS = 250

/** Each session's bytes: an AES-CTR key stream from its own key, which openssl makes too. */
function sessionKey(index: number): string {
  return createHash('sha256').update(`load-${index}`).digest('hex').slice(0, 32)
}

function expectedSha256(index: number): string {
  const cipher = createCipheriv('aes-128-ctr', Buffer.from(sessionKey(index), 'hex'),
    Buffer.alloc(16))
  const hash = createHash('sha256')
  const zeros = Buffer.alloc(1024 * 1024)
  for (let sent = 0; sent < BYTES; sent += zeros.length) hash.update(cipher.update(zeros))
  return hash.digest('hex')
}

/**
 * `openssl | ssh c1 cat | sha256sum`: the bytes go up, through cat in the container, and back.
 * ssh opens its session at once; the bytes wait at a FIFO, so that all start together. (A loop
 * polling for a file, 200 times over, forked enough to starve the gateway of CPU.)
 */
function startEcho(gateway: Gateway, index: number, goFifo: string) {
  const generate = `cat ${goFifo} >/dev/null; ` +
    `openssl enc -aes-128-ctr -K ${sessionKey(index)} -iv ${'0'.repeat(32)} ` +
    `-in /dev/zero 2>/dev/null | head -c ${BYTES}`
  const args = sshArgs(gateway, { user: 'c1', command: 'cat',
    // 600 client processes share two cores with the gateway and the daemon: a handshake can
    // wait its turn for longer than the helpers' usual 10 s.
    args: ['-c', 'aes128-gcm@openssh.com', '-o', 'ConnectTimeout=120'] })
  // openssl dies of SIGPIPE when head has enough, so ssh's own status is the one returned.
  const pipeline = `{ ${generate}; } | ssh "$@" | sha256sum | cut -d' ' -f1; ` +
    'exit ${PIPESTATUS[1]}'
  return start('bash', ['-c', pipeline, 'load', ...args], { timeoutMs: 600000 })
}

/**
 * Opening a FIFO for writing wakes every reader blocked opening it; closing it gives them EOF.
 * It stays open a moment, so that a reader a little late gets the same.
 */
async function releaseReaders(fifo: string): Promise<void> {
  const writer = await open(fifo, 'w')
  await sleep(2000)
  await writer.close()
}

/** The most sessions the gateway had open at once, from its own log. */
function peakConcurrency(gateway: Gateway): number {
  const events = gateway.logs
    .filter((l) => l.event === 'session_started' || l.event === 'session_ended')
    .map((l) => l.event === 'session_started' ? 1 : -1)
  let open = 0
  let peak = 0
  for (const step of events) peak = Math.max(peak, (open += step))
  return peak
}

function describeLoad(daemon: Daemon): void {
  describe(`load on ${daemon.name}`, function () {
    this.timeout(900000)
    const gatewayOf = gatewayForSuite(daemon)

    it(`carries ${SESSIONS} sessions at once, ${BYTES / 1048576} MiB each way, every byte exact`,
      async () => {
        const gateway = gatewayOf()
        const goFifo = join(gateway.dir, 'go')
        await runOk('mkfifo', [goFifo])
        const runs = []
        for (let i = 0; i < SESSIONS; i++) {
          runs.push(startEcho(gateway, i, goFifo))
          if (i % OPEN_BATCH === OPEN_BATCH - 1) await sleep(OPEN_GAP_MS)
        }
        await waitFor(`${SESSIONS} sessions open`, () =>
          gateway.events('session_started').length >= SESSIONS || undefined, 120000, 200)
        await releaseReaders(goFifo)
        const startedAt = Date.now()
        let peakRss = 0
        const sampler = setInterval(() => {
          peakRss = Math.max(peakRss, gatewayRssKiB(gateway))
        }, 500)
        const results = await Promise.all(runs.map((r) => r.done)).finally(() =>
          clearInterval(sampler))
        const seconds = (Date.now() - startedAt) / 1000

        const errors = gateway.logs.filter((l) => Number(l.level) >= 50).slice(0, 3)
        results.forEach((r, i) => {
          expect(r.code, `session ${i} (${r.stderr.trim()}; ${JSON.stringify(errors)})`)
            .to.equal(0)
          expect(r.stdout.toString().trim(), `session ${i} checksum`).to.equal(expectedSha256(i))
        })
        expect(peakConcurrency(gateway), 'sessions open at once').to.equal(SESSIONS)
        expect(gateway.child.exitCode, 'the gateway kept running').to.equal(null)

        const mib = (2 * SESSIONS * BYTES) / 1048576
        writeFigure(`load-${daemon.name}`, {
          sessions: SESSIONS, mibEachWay: BYTES / 1048576, seconds: Math.round(seconds),
          mibPerSecond: Math.round(mib / seconds), peakRssMiB: Math.round(peakRss / 1024),
        })
      })
  })
}

for (const daemon of DAEMONS) describeLoad(daemon)
