import { expect } from 'chai'

import { RecordingTap } from '../../../src/recording/recording-tap'
import { collectingLogger, eventsOf } from './log-lines'
import { MemorySink } from './memory-sink'
import type { TapSettings } from '../../../src/recording/recording-tap'
import type { RecordedSession } from '../../../src/recording/types'

const SESSION: RecordedSession = {
  sessionId: '0a1b2c3d4e5f',
  login: 'alice@web1',
  user: 'alice',
  container: 'web1',
  project: 'team',
  keyFingerprint: 'SHA256:abc',
  clientAddress: '127.0.0.1',
  kind: 'shell',
  terminal: { term: 'xterm-256color', cols: 100, rows: 30 },
}

const SUMMARY = { exitStatus: 3, bytesIn: 10, bytesOut: 20, durationMs: 30, clientGone: false }

/** A tap whose files are memory sinks, by path. */
function tapFor(session: RecordedSession, execOutput = false, onWrite?: () => void) {
  const sinks = new Map<string, MemorySink>()
  const settings: TapSettings = {
    dir: '/rec',
    maxBytes: 1024 * 1024,
    execOutput,
    date: () => new Date('2026-12-04T04:05:06Z'),
    now: () => 0,
    openSink: (path) => {
      const sink = new MemorySink(onWrite)
      sinks.set(path, sink)
      return sink
    },
  }
  const { log, lines } = collectingLogger()
  return { tap: new RecordingTap(session, settings, log), sinks, lines }
}

describe('RecordingTap', () => {
  describe('a session with a terminal', () => {
    it('writes a header with the size at start, TERM, SHELL, who and where', () => {
      const { tap, sinks } = tapFor(SESSION)
      tap.started({ shell: '/bin/bash', size: { cols: 120, rows: 40 } })
      const [path, sink] = [...sinks][0]
      expect(path).to.equal('/rec/2026-12-04/20261204T040506Z_web1.team_alice_0a1b2c3d4e5f.cast')
      expect(sink.parsed()[0]).to.deep.equal({
        version: 2,
        width: 120,
        height: 40,
        timestamp: Date.parse('2026-12-04T04:05:06Z') / 1000,
        title: 'alice@web1',
        env: { TERM: 'xterm-256color', SHELL: '/bin/bash' },
        user: 'alice',
        container: 'web1',
        project: 'team',
        login: 'alice@web1',
        sessionId: '0a1b2c3d4e5f',
        keyFingerprint: 'SHA256:abc',
        pty: true,
      })
    })

    it('names the command of an exec with a terminal', () => {
      const { tap, sinks } = tapFor({ ...SESSION, kind: 'exec', command: 'top' })
      tap.started({ shell: '/bin/sh' })
      const header = [...sinks.values()][0].parsed()[0] as Record<string, unknown>
      expect(header.command).to.equal('top')
      expect(header.width, 'the pty-req size').to.equal(100)
    })

    it('records output and resizes, then closes at the end without an audit line', () => {
      const { tap, sinks, lines } = tapFor(SESSION)
      tap.resize({ cols: 1, rows: 1 })
      tap.started({ shell: '/bin/sh' })
      tap.output(Buffer.from('hello'))
      tap.resize({ cols: 90, rows: 20 })
      tap.end(SUMMARY)
      const sink = [...sinks.values()][0]
      expect(sink.parsed().slice(1)).to.deep.equal([[0, 'o', 'hello'], [0, 'r', '90x20']])
      expect(sink.closed, 'closed').to.equal(true)
      expect(eventsOf(lines)).to.not.include('exec_audit')
      expect(eventsOf(lines)[0]).to.equal('recording_started')
    })

    it('writes nothing when the program never started', () => {
      const { tap, sinks } = tapFor(SESSION)
      tap.output(Buffer.from('x'))
      tap.end(SUMMARY)
      expect(sinks.size).to.equal(0)
    })
  })

  describe('a session without a terminal', () => {
    const exec: RecordedSession = { ...SESSION, kind: 'exec', command: 'ls /', terminal: undefined }

    it('logs one exec_audit line with who, where, what and how it ended', () => {
      const { tap, sinks, lines } = tapFor(exec)
      tap.started({ shell: '/bin/sh' })
      tap.output(Buffer.from('bin\n'))
      tap.end(SUMMARY)
      expect(sinks.size, 'no file').to.equal(0)
      const audits = lines.filter((line) => line.event === 'exec_audit')
      expect(audits).to.have.length(1)
      expect(audits[0]).to.include({
        login: 'alice@web1',
        keyFingerprint: 'SHA256:abc',
        container: 'web1',
        project: 'team',
        targetUser: 'alice',
        command: 'ls /',
        exitStatus: 3,
        bytesIn: 10,
        bytesOut: 20,
        durationMs: 30,
        level: 30,
      })
    })

    it('also records the output with execOutput, and names the file in the audit line', () => {
      const { tap, sinks, lines } = tapFor(exec, true)
      tap.started({ shell: '/bin/sh' })
      tap.output(Buffer.from('bin\n'))
      tap.end(SUMMARY)
      const [path, sink] = [...sinks][0]
      const header = sink.parsed()[0] as Record<string, unknown>
      expect(header).to.include({ width: 80, height: 24, pty: false, command: 'ls /' })
      expect(sink.parsed()[1]).to.deep.equal([0, 'o', 'bin\n'])
      expect(lines.find((line) => line.event === 'exec_audit')?.recording).to.equal(path)
    })

    it('never records a subsystem, even with execOutput', () => {
      const sftp: RecordedSession = { ...exec, kind: 'subsystem', command: 'sftp' }
      const { tap, sinks, lines } = tapFor(sftp, true)
      tap.started({ shell: '/bin/sh' })
      tap.end(SUMMARY)
      expect(sinks.size).to.equal(0)
      expect(eventsOf(lines)).to.deep.equal(['exec_audit'])
    })
  })

  it('keeps a fault of its own from reaching the session', () => {
    const { tap, sinks, lines } = tapFor(SESSION, false, () => {
      throw new Error('disk on fire')
    })
    expect(() => tap.started({ shell: '/bin/sh' })).to.not.throw()
    expect(() => tap.output(Buffer.from('x'))).to.not.throw()
    expect(() => tap.end(SUMMARY)).to.not.throw()
    expect(sinks.size).to.equal(1)
    expect([...sinks.values()][0].closed, 'file closed').to.equal(true)
    expect(lines.at(-1)).to.include({ event: 'recording_failed', code: 'RECORDING_FAILED' })
  })
})
