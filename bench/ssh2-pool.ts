import { Client } from 'ssh2'
import type { ClientChannel } from 'ssh2'

/** Where the pool connects. */
export interface PoolTarget {
  port: number
  user: string
  privateKey: Buffer
}

/** One interactive shell session of the pool. */
interface PoolSession {
  id: string
  channel: ClientChannel
  output: string
  closed: boolean
}

/** One authenticated connection, and when it closed. */
interface PoolConnection {
  conn: Client
  closed: Promise<void>
}

/** Many pty shell sessions over a few ssh2 connections, and what went wrong with them. */
export interface Pool {
  conns: PoolConnection[]
  sessions: PoolSession[]
  /** Sessions that never opened, with why. */
  openFailures: string[]
  /** Sessions or connections that closed while they should have been held open. */
  dropped: string[]
  /** What the first connection negotiated. */
  handshake?: unknown
  closing: boolean
}

const OPEN_TIMEOUT_MS = 30_000

/** Opens `connections` x `perConnection` pty shells, `parallel` connections at a time. */
export async function openPool(target: PoolTarget, connections: number, perConnection: number,
  parallel: number): Promise<Pool> {
  const pool: Pool = { conns: [], sessions: [], openFailures: [], dropped: [], closing: false }
  let next = 0
  const worker = async () => {
    while (next < connections && !pool.closing) {
      const index = next++
      await openConnection(pool, target, index, perConnection)
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, connections) }, worker))
  return pool
}

async function openConnection(pool: Pool, target: PoolTarget, index: number, count: number) {
  const conn = new Client()
  const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()))
  try {
    await connect(conn, target, pool)
  } catch (err) {
    conn.destroy()
    for (let i = 0; i < count; i++) pool.openFailures.push(`conn ${index}: ${String(err)}`)
    return
  }
  pool.conns.push({ conn, closed })
  conn.on('error', (err) => {
    if (!pool.closing) pool.dropped.push(`conn ${index} error: ${err.message}`)
  })
  void closed.then(() => {
    if (!pool.closing) pool.dropped.push(`conn ${index} closed`)
  })
  const opened = Array.from({ length: count }, (_, i) => openShell(conn, `${index}.${i}`, pool))
  await Promise.all(opened)
}

function connect(conn: Client, target: PoolTarget, pool: Pool): Promise<void> {
  return new Promise((resolve, reject) => {
    conn.once('ready', () => resolve())
    conn.once('error', reject)
    conn.once('handshake', (negotiated) => { pool.handshake ??= negotiated })
    conn.connect({ host: '127.0.0.1', port: target.port, username: target.user,
      privateKey: target.privateKey, readyTimeout: OPEN_TIMEOUT_MS })
  })
}

// A session counts as open once its shell has printed something (its prompt).
function openShell(conn: Client, id: string, pool: Pool): Promise<void> {
  return new Promise((resolve) => {
    let settled = false
    const settle = (why?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (why) pool.openFailures.push(`session ${id}: ${why}`)
      resolve()
    }
    const timer = setTimeout(() => settle('no output within 30 s'), OPEN_TIMEOUT_MS)
    conn.shell({ term: 'xterm', rows: 24, cols: 80 }, (err, channel) => {
      if (err) return settle(err.message)
      watchSession(pool, { id, channel, output: '', closed: false }, settle)
    })
  })
}

function watchSession(pool: Pool, session: PoolSession, settle: (why?: string) => void) {
  let opened = false
  session.channel.stderr.on('data', () => undefined)
  session.channel.on('data', (chunk: Buffer) => {
    session.output = (session.output + chunk).slice(-2000)
    if (opened) return
    opened = true
    pool.sessions.push(session)
    settle()
  })
  session.channel.on('close', () => {
    session.closed = true
    if (!opened) settle('closed before any output')
    else if (!pool.closing) pool.dropped.push(`session ${session.id} closed`)
  })
}

/**
 * Types a command into every open session and waits for its answer: the marker is computed by
 * the shell, so the terminal's echo of the typed line does not count.
 */
export async function checkAlive(pool: Pool, timeoutMs: number): Promise<string[]> {
  const dead: string[] = []
  await Promise.all(pool.sessions.map(async (session) => {
    if (session.closed) {
      dead.push(`session ${session.id} closed`)
      return
    }
    session.output = ''
    session.channel.write('echo alive-$((6*7))\n')
    const deadline = Date.now() + timeoutMs
    while (!session.output.includes('alive-42') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (!session.output.includes('alive-42')) dead.push(`session ${session.id}: no answer`)
  }))
  return dead
}

/**
 * Types `exit` into every open session, as a user would, and waits for the channels to close;
 * returns those still open after `timeoutMs`.
 */
export async function exitSessions(pool: Pool, timeoutMs: number): Promise<string[]> {
  pool.closing = true
  for (const session of pool.sessions) {
    if (!session.closed) session.channel.write('exit\n')
  }
  const deadline = Date.now() + timeoutMs
  while (pool.sessions.some((s) => !s.closed) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return pool.sessions.filter((s) => !s.closed).map((s) => `session ${s.id} still open`)
}

/** Ends every connection; resolves once all are closed (destroying any left after 10 s). */
export async function closePool(pool: Pool): Promise<void> {
  pool.closing = true
  for (const { conn } of pool.conns) conn.end()
  const timer = setTimeout(() => pool.conns.forEach(({ conn }) => conn.destroy()), 10_000)
  // A destroyed connection that never reports 'close' must not hang the bench either.
  const giveUp = new Promise((resolve) => setTimeout(resolve, 12_000).unref())
  await Promise.race([Promise.all(pool.conns.map(({ closed }) => closed)), giveUp])
  clearTimeout(timer)
}
