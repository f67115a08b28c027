import { expect } from 'chai'
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { run } from '../helpers/process'
import { runSsh } from '../helpers/ssh'
import { connectSsh2, execSsh2 } from '../helpers/ssh2-client'
import { waitFor } from '../helpers/wait'
import type { Daemon } from '../helpers/daemons'
import type { Gateway, LogLine } from '../helpers/gateway'
import type { RunResult } from '../helpers/process'

/** One recording: its path, header and events, as read back from disk. */
interface Recording {
  file: string
  header: Record<string, unknown>
  events: [number, string, string][]
}

/** Session recording through real clients, checked with the real asciinema. */
function describeRecording(daemon: Daemon): void {
  describe(`session recording on ${daemon.name}`, function () {
    this.timeout(60000)
    let dir: string
    let gateway: Gateway

    before(async function () {
      this.timeout(30000)
      await requireDaemon(daemon)
      dir = await mkdtemp(join(tmpdir(), 'execgate-recording-'))
      gateway = await startGateway({
        backend: daemon.socket,
        config: { recording: { dir: join(dir, 'casts') } },
      })
    })

    after(async function () {
      this.timeout(30000)
      await gateway?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    it('records an interactive OpenSSH session that asciinema can print and play', async () => {
      const startedAt = Math.floor(Date.now() / 1000)
      const seen = gateway.events('recording_started').length
      const session = await runSsh(gateway, {
        user: 'c1',
        args: ['-tt'],
        env: { TERM: 'xterm' },
        // The sleep before exit: LXD 5.0.2 can drop the last output of a pty process that
        // exits at once, from the client and the recording alike (README, Limitations).
        stdin: Buffer.from('echo hello-REC; sleep 0.2; exit\n'),
      })
      expect(session.code, `ssh exit status (${session.stderr})`).to.equal(0)

      const recording = await finishedRecording(gateway, seen, session)
      expect((await stat(recording.file)).mode & 0o777, 'file mode').to.equal(0o600)
      expect(recording.file, 'location').to.match(
        /\/casts\/\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z_c1_root_[0-9a-f]+\.cast$/)
      expect(recording.header, 'header').to.include({ version: 2, container: 'c1', user: 'root',
        login: 'c1', pty: true, title: 'root@c1' })
      expect(recording.header.env, 'header env').to.include({ TERM: 'xterm' })
      expect(recording.header.timestamp, 'start').to.be.within(startedAt - 1, startedAt + 30)
      expect(recording.header.keyFingerprint, 'key').to.match(/^SHA256:/)

      const printed = await asciinema(['cat', recording.file])
      expect(printed.code, `asciinema cat (${printed.stdout.toString()})`).to.equal(0)
      expect(printed.stdout.toString(), 'the echo output').to.match(/(^|\n)hello-REC\r*\n/)

      const played = await asciinema(['play', '-i', '0.01', '-s', '100', recording.file])
      expect(played.code, `asciinema play (${played.stdout.toString()})`).to.equal(0)
      expect(played.stdout.toString(), 'played output').to.include('hello-REC')
    })

    it('records a window change sent through ssh2 as a resize event', async () => {
      const seen = gateway.events('recording_started').length
      const conn = await connectSsh2(gateway, 'c1')
      try {
        const pty = { term: 'xterm', cols: 80, rows: 24 }
        const command = 'echo ready; read line; echo "got-$line"'
        const session = await execSsh2(conn, command, { pty })
        await session.waitForOutput(/ready/)
        session.channel.setWindow(40, 132, 0, 0)
        session.channel.write('go\r')
        await session.waitForOutput(/got-go/)
        await session.waitForClose()

        const recording = await finishedRecording(gateway, seen)
        expect(recording.header, 'header').to.include({ command, width: 80, height: 24 })
        const resizes = recording.events.filter((event) => event[1] === 'r')
        expect(resizes.map((event) => event[2]), 'resize events').to.deep.equal(['132x40'])
        const output = recording.events.filter((event) => event[1] === 'o')
        expect(output.map((event) => event[2]).join(''), 'output').to.include('got-go')
      } finally {
        conn.end()
      }
    })

    it('logs an exec_audit line for an exec and writes no recording for it', async () => {
      const filesBefore = await castFiles(join(dir, 'casts'))
      const command = 'echo audit-me; exit 7'
      const session = await runSsh(gateway, { user: 'c1', command })
      expect(session.code, 'exit status').to.equal(7)

      const audit = await gateway.waitForLog('exec_audit', { command }, 10000)
      expect(audit, 'audit line').to.include({ container: 'c1', targetUser: 'root', login: 'c1',
        kind: 'exec', exitStatus: 7, bytesOut: 'audit-me\n'.length, level: 30 })
      expect(audit.keyFingerprint, 'key').to.match(/^SHA256:/)
      expect(audit.durationMs, 'duration').to.be.a('number')
      expect(await castFiles(join(dir, 'casts')), 'recordings').to.deep.equal(filesBefore)
    })

    describe('with a small size limit and execOutput', () => {
      let small: Gateway

      before(async function () {
        this.timeout(30000)
        small = await startGateway({
          backend: daemon.socket,
          config: { recording: { dir: join(dir, 'small'), maxBytes: 4096, execOutput: true } },
        })
      })

      after(async function () {
        this.timeout(30000)
        await small?.stop()
      })

      it('cuts the recording at the limit with a marker and lets the session finish', async () => {
        const expected = Array.from({ length: 2000 }, (_, i) => `${i + 1}\r\n`).join('')
        const seen = small.events('recording_started').length
        const session = await runSsh(small, { user: 'c1', command: 'seq 1 2000; sleep 0.2',
          args: ['-tt'] })
        expect(session.code, 'exit status').to.equal(0)
        expect(session.stdout.toString(), 'what the client got').to.equal(expected)

        const recording = await finishedRecording(small, seen)
        expect((await stat(recording.file)).size, 'file size').to.be.at.most(4096)
        expect(recording.events.at(-1)?.slice(1), 'last event').to.deep.equal(
          ['m', 'execgate: recording stopped, size limit reached'])
        const warnings = small.events('recording_stopped')
        expect(warnings.map((line) => [line.code, line.level]), 'warnings').to.deep.equal(
          [['RECORDING_CAP_REACHED', 40]])
        const printed = await asciinema(['cat', recording.file])
        expect(printed.code, 'asciinema cat exit status').to.equal(0)
        expect(printed.stdout.toString(), 'the first lines').to.match(/^1\r*\n2\r*\n/)
      })

      it('records the output of an exec and names the file in the audit line', async () => {
        const command = 'echo out-REC; echo err-REC >&2'
        const seen = small.events('recording_started').length
        const session = await runSsh(small, { user: 'c1', command })
        expect(session.code, 'exit status').to.equal(0)

        const audit = await small.waitForLog('exec_audit', { command }, 10000)
        const recording = await finishedRecording(small, seen)
        expect(audit.recording, 'audit names the file').to.equal(recording.file)
        expect(recording.header, 'header').to.include({ pty: false, command, width: 80 })
        const output = recording.events.filter((event) => event[1] === 'o').map((e) => e[2])
        expect(output.join(''), 'stdout').to.include('out-REC\n')
        expect(output.join(''), 'stderr').to.include('err-REC\n')
      })
    })
  })
}

/**
 * The first recording started after `seen` others, once the gateway has closed it. With
 * `session`, it also checks that the client got exactly what was recorded.
 */
async function finishedRecording(
  gateway: Gateway,
  seen: number,
  session?: RunResult,
): Promise<Recording> {
  const started = await waitFor('a recording_started log line',
    () => gateway.events('recording_started')[seen], 10000, 50)
  const file = String(started.file)
  await gateway.waitForLog('recording_finished', { file }, 10000)

  const [headerLine, ...eventLines] = (await readFile(file, 'utf8')).trimEnd().split('\n')
  const recording: Recording = {
    file,
    header: JSON.parse(headerLine) as LogLine,
    events: eventLines.map((line) => JSON.parse(line) as [number, string, string]),
  }
  if (session) {
    const recorded = recording.events.filter((event) => event[1] === 'o').map((e) => e[2])
    expect(recorded.join(''), 'recorded output').to.equal(session.stdout.toString())
  }
  return recording
}

/**
 * asciinema opens /dev/tty and sets it raw, so it runs under script(1) to have one. It must
 * stay in the terminal's foreground process group, or that tcsetattr stops it with SIGTTOU:
 * hence `timeout --foreground` (plain timeout starts a process group of its own), and SHELL
 * is fixed because script runs `$SHELL -c`, and only some shells exec the last command.
 */
function asciinema(args: string[]): Promise<RunResult> {
  const words = ['timeout', '--foreground', '30', 'asciinema', ...args]
  const command = words.map(shellWord).join(' ')
  return run('script', ['-qec', command, '/dev/null'],
    { timeoutMs: 40000, env: { SHELL: '/bin/sh' } })
}

function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/** Every .cast file under `root`, relative to it. */
async function castFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[])
  return entries.filter((entry) => entry.endsWith('.cast')).sort()
}

for (const daemon of DAEMONS) describeRecording(daemon)
