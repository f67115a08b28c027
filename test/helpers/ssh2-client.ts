import { readFileSync } from 'node:fs'
import { Client } from 'ssh2'
import { waitFor, withTimeout } from './wait'
import type { ClientChannel, ExecOptions } from 'ssh2'
import type { SshTarget } from './ssh'

/** The end of a channel: the exit-status, or the exit-signal name. */
export interface ChannelExit {
  code: number | null
  signal: string | null
}

/** An exec channel opened with ssh2's Client, with its output collected. */
export interface Ssh2Run {
  channel: ClientChannel
  /** stdout (the pty, with one) so far. */
  output(): string
  /** Resolves when `pattern` shows up in the output. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>
  /** Resolves when the channel closes. */
  closed: Promise<ChannelExit>
  /** Like `closed`, but rejects after `timeoutMs`. @default 10000 */
  waitForClose(timeoutMs?: number): Promise<ChannelExit>
}

/** Connects an ssh2 Client as `user`; resolves once it is authenticated. */
export function connectSsh2(target: SshTarget, user: string): Promise<Client> {
  const conn = new Client()
  return new Promise((resolve, reject) => {
    conn.once('ready', () => resolve(conn))
    conn.once('error', reject)
    conn.connect({ host: '127.0.0.1', port: target.port, username: user,
      privateKey: readFileSync(target.keyPath), readyTimeout: 10000 })
  })
}

/** Runs `command` over `conn` and collects what comes back. */
export function execSsh2(conn: Client, command: string, options: ExecOptions = {}) {
  return new Promise<Ssh2Run>((resolve, reject) => {
    conn.exec(command, options, (err, channel) => {
      if (err) reject(err)
      else resolve(watchChannel(channel))
    })
  })
}

function watchChannel(channel: ClientChannel): Ssh2Run {
  let output = ''
  let exit: ChannelExit = { code: null, signal: null }
  channel.on('data', (chunk: Buffer) => { output += chunk.toString() })
  channel.stderr.on('data', () => undefined)
  channel.on('exit', (code: number | null, signal?: string) => {
    exit = { code, signal: signal ?? null }
  })
  const closed = new Promise<ChannelExit>((resolve) => channel.on('close', () => resolve(exit)))
  return {
    channel,
    closed,
    waitForClose: (timeoutMs) => withTimeout(closed, timeoutMs ?? 10000, 'the channel to close'),
    output: () => output,
    waitForOutput: (pattern, timeoutMs) => waitForPattern(() => output, pattern, timeoutMs),
  }
}

async function waitForPattern(output: () => string, pattern: RegExp, timeoutMs = 5000) {
  const seen = () => (pattern.test(output()) ? true : undefined)
  await waitFor(`output matching ${pattern}`, seen, timeoutMs, 50).catch((err: Error) => {
    throw new Error(`${err.message}; output so far: ${JSON.stringify(output())}`)
  })
}
