import { expect } from 'chai'

import { eventLine, headerLine } from '../../../src/recording/asciicast'
import { CAP_MARKER, CastWriter } from '../../../src/recording/cast-writer'
import { MemorySink } from './memory-sink'
import type { AsciicastHeader } from '../../../src/recording/asciicast'

const HEADER: AsciicastHeader = {
  version: 2,
  width: 80,
  height: 24,
  timestamp: 1764820800,
  env: { TERM: 'xterm' },
}

/** A writer on a memory sink with a clock the test moves. */
function writer(maxBytes = 1024 * 1024) {
  const sink = new MemorySink()
  const clock = { ms: 5000 }
  const cast = new CastWriter(sink, HEADER, maxBytes, () => clock.ms)
  return { sink, clock, cast }
}

describe('asciicast lines', () => {
  it('writes the header as one JSON line', () => {
    expect(headerLine(HEADER)).to.equal(
      '{"version":2,"width":80,"height":24,"timestamp":1764820800,"env":{"TERM":"xterm"}}\n')
  })

  it('writes an event as [seconds, code, data] with microseconds', () => {
    expect(eventLine(1234.5678, 'o', 'hi')).to.equal('[1.234568,"o","hi"]\n')
    expect(eventLine(0, 'r', '100x40')).to.equal('[0,"r","100x40"]\n')
  })

  it('escapes control characters so that every event stays on one line', () => {
    expect(eventLine(0, 'o', '\r\n\u001b[0m')).to.equal('[0,"o","\\r\\n\\u001b[0m"]\n')
  })
})

describe('CastWriter', () => {
  it('starts with the header line', () => {
    const { sink } = writer()
    expect(sink.parsed()).to.deep.equal([HEADER])
  })

  it('times events from its own start', () => {
    const { sink, clock, cast } = writer()
    clock.ms += 250
    cast.output(Buffer.from('one'))
    clock.ms += 1500.25
    cast.output(Buffer.from('two'))
    expect(sink.parsed().slice(1)).to.deep.equal([[0.25, 'o', 'one'], [1.75025, 'o', 'two']])
  })

  it('writes a character split across chunks whole, in the event that completes it', () => {
    const { sink, cast } = writer()
    const euro = Buffer.from('a€b', 'utf8')
    cast.output(euro.subarray(0, 2))
    cast.output(euro.subarray(2, 3))
    cast.output(euro.subarray(3))
    const events = sink.parsed().slice(1) as [number, string, string][]
    expect(events.map((event) => event[2])).to.deep.equal(['a', '€b'])
  })

  it('writes no event for a chunk that holds only part of a character', () => {
    const { sink, cast } = writer()
    cast.output(Buffer.from([0xf0, 0x9f]))
    expect(sink.lines, 'header only').to.have.length(1)
    cast.output(Buffer.from([0x98, 0x80]))
    expect((sink.parsed()[1] as unknown[])[2]).to.equal('😀')
  })

  it('writes invalid UTF-8 as replacement characters', () => {
    const { sink, cast } = writer()
    cast.output(Buffer.from([0x61, 0xff, 0x62]))
    expect((sink.parsed()[1] as unknown[])[2]).to.equal('a\ufffdb')
  })

  it('writes an incomplete character left at the end as a replacement character', async () => {
    const { sink, cast } = writer()
    cast.output(Buffer.from([0x61, 0xe2, 0x82]))
    await cast.finish()
    const data = sink.parsed().slice(1).map((event) => (event as unknown[])[2])
    expect(data).to.deep.equal(['a', '\ufffd'])
    expect(sink.closed, 'closed').to.equal(true)
  })

  it('writes a resize as an "r" event of COLSxROWS', () => {
    const { sink, clock, cast } = writer()
    clock.ms += 100
    cast.resize({ cols: 132, rows: 43 })
    expect(sink.parsed()[1]).to.deep.equal([0.1, 'r', '132x43'])
  })

  describe('size limit', () => {
    it('stops with a marker event and stays under maxBytes', () => {
      const { sink, cast } = writer(4096)
      for (let i = 0; i < 100; i++) cast.output(Buffer.from('x'.repeat(100)))
      const last = sink.parsed().at(-1) as unknown[]
      expect(last.slice(1)).to.deep.equal(['m', CAP_MARKER])
      expect(sink.bytes, 'file size').to.be.at.most(4096)
      expect(sink.bytes, 'file size').to.equal(cast.size)
    })

    it('keeps what fits of a chunk larger than the room left, whole characters only', () => {
      const { sink, cast } = writer(4096)
      const text = 'é\n'.repeat(3000)
      cast.output(Buffer.from(text))
      const events = sink.parsed().slice(1) as unknown[][]
      expect(events.map((event) => event[1])).to.deep.equal(['o', 'm'])
      const kept = events[0][2] as string
      expect(text.startsWith(kept), 'a start of the output').to.equal(true)
      expect(kept.length, 'characters kept').to.be.above(1000)
      expect(sink.bytes, 'file size').to.be.at.most(4096)
    })

    it('reports the cap once, with its code', () => {
      const { sink, cast } = writer(4096)
      for (let i = 0; i < 100; i++) cast.output(Buffer.from('x'.repeat(100)))
      cast.resize({ cols: 1, rows: 1 })
      expect(sink.abandoned).to.have.length(1)
      expect(sink.abandoned[0].code).to.equal('RECORDING_CAP_REACHED')
      expect(sink.abandoned[0].detail.maxBytes).to.equal(4096)
    })

    it('writes nothing more after the cap', () => {
      const { sink, cast } = writer(4096)
      for (let i = 0; i < 100; i++) cast.output(Buffer.from('x'.repeat(100)))
      const count = sink.lines.length
      cast.output(Buffer.from('more'))
      cast.resize({ cols: 10, rows: 10 })
      expect(sink.lines).to.have.length(count)
    })
  })

  it('stops with a marker when the disk falls behind', () => {
    const { sink, cast } = writer()
    sink.backlog = 64 * 1024 * 1024
    cast.output(Buffer.from('late'))
    expect((sink.parsed().at(-1) as unknown[])[1]).to.equal('m')
    expect(sink.abandoned.map((stop) => stop.code)).to.deep.equal(['RECORDING_BEHIND'])
  })
})
