import { expect } from 'chai'
import { Readable, Writable } from 'node:stream'

import { forwardCoalesced } from '../../../src/bridge/forward'

/** A sink that records each write and holds its callback until `release()`. */
class RecordingSink extends Writable {
  readonly writes: Buffer[] = []
  private pending: (() => void)[] = []

  constructor(highWaterMark: number) {
    super({ highWaterMark })
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(chunk)
    this.pending.push(callback)
  }

  release(): void {
    for (const callback of this.pending.splice(0)) callback()
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

/** A source fed as the exec output streams are: push() from the websocket's frames. */
function frameSource(highWaterMark = 256 * 1024): Readable {
  return new Readable({ highWaterMark, read: () => undefined })
}

describe('forwardCoalesced', () => {
  it('writes the chunks that arrived together as one', async () => {
    const source = frameSource()
    const sink = new RecordingSink(1024 * 1024)
    const seen: number[] = []
    forwardCoalesced(source, sink, (chunk) => seen.push(chunk.length))

    for (let i = 0; i < 10; i++) source.push(Buffer.alloc(4096, i))
    await tick()

    expect(sink.writes).to.have.length(1)
    expect(Buffer.concat(sink.writes)).to.deep.equal(
      Buffer.concat(Array.from({ length: 10 }, (_, i) => Buffer.alloc(4096, i))))
    expect(seen).to.deep.equal([40960])
  })

  it('stops reading while the sink is behind and goes on after it drains', async () => {
    const source = frameSource(8192)
    const sink = new RecordingSink(1024)
    forwardCoalesced(source, sink, () => undefined)

    source.push(Buffer.alloc(2048, 1))
    await tick()
    expect(sink.writes, 'first write').to.have.length(1)

    const accepted = source.push(Buffer.alloc(8192, 2))
    await tick()
    expect(sink.writes, 'nothing more while the sink is full').to.have.length(1)
    expect(accepted, 'the source is full too, so its producer is told to wait').to.equal(false)

    sink.release()
    await tick()
    expect(Buffer.concat(sink.writes).length, 'all of it after the drain').to.equal(10240)
  })

  it('keeps every byte, in order, through many small writes', async () => {
    const source = frameSource(256)
    const sink = new RecordingSink(64)
    forwardCoalesced(source, sink, () => undefined)
    const expected: Buffer[] = []

    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.from(`chunk ${i};`)
      expected.push(chunk)
      source.push(chunk)
      if (i % 7 === 0) await tick()
      sink.release()
    }
    for (let i = 0; i < 5; i++) {
      await tick()
      sink.release()
    }
    expect(Buffer.concat(sink.writes).toString()).to.equal(Buffer.concat(expected).toString())
  })
})
