import { expect } from 'chai'
import { DAEMONS } from '../helpers/daemons'
import { gatewayForSuite, residentKiB } from '../helpers/hardening'
import { connectSsh2 } from '../helpers/ssh2-client'
import { sleep, waitFor } from '../helpers/wait'
import type { Client, ClientChannel } from 'ssh2'
import type { Daemon } from '../helpers/daemons'

/** How long the client stops reading, as the issue asks. */
const STALL_MS = 60_000

/** What the gateway's resident memory may grow by while nobody reads. */
const GROWTH_LIMIT_KIB = 16 * 1024

/** Counts what arrives and checks that it is nothing but "y\n", in order. */
class YesReader {
  bytes = 0
  corrupt = false

  constructor(readonly channel: ClientChannel) {
    channel.on('data', (chunk: Buffer) => this.take(chunk))
  }

  private take(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const expected = (this.bytes + i) % 2 === 0 ? 0x79 : 0x0a
      if (chunk[i] !== expected) this.corrupt = true
    }
    this.bytes += chunk.length
  }
}

function describeStalledReader(daemon: Daemon): void {
  describe(`a client that stops reading, on ${daemon.name}`, function () {
    this.timeout(STALL_MS + 60_000)
    const gatewayOf = gatewayForSuite(daemon)
    let conn: Client

    before(async () => {
      conn = await connectSsh2(gatewayOf(), 'c1')
    })

    after(() => conn?.end())

    it(`keeps the gateway's memory flat for ${STALL_MS / 1000} s of \`yes\`, then resumes`,
      async () => {
        const gateway = gatewayOf()
        const channel = await new Promise<ClientChannel>((resolve, reject) =>
          conn.exec('yes', (err, ch) => (err ? reject(err) : resolve(ch))))
        const reader = new YesReader(channel)
        await waitFor('10 MB of output', () => (reader.bytes > 10e6 ? true : undefined),
          30000, 50)

        channel.pause()
        await sleep(5000)
        const pid = gateway.child.pid!
        const atStall = residentKiB(pid)
        const bytesAtStall = reader.bytes
        await sleep(STALL_MS - 5000)
        const afterStall = residentKiB(pid)
        expect(afterStall - atStall, 'KiB the gateway grew while nobody read')
          .to.be.below(GROWTH_LIMIT_KIB)
        expect(reader.bytes - bytesAtStall, 'bytes that arrived while paused').to.be.below(4e6)

        channel.resume()
        const resumedFrom = reader.bytes
        await waitFor('10 MB more after resuming', () =>
          (reader.bytes - resumedFrom > 10e6 ? true : undefined), 30000, 50)
        expect(reader.corrupt, 'every byte was "y\\n" in order').to.equal(false)
        channel.close()
      })
  })
}

for (const daemon of DAEMONS) describeStalledReader(daemon)
