import { ErrorCode, GatewayError } from '../errors'
import type { ExecBackend, ExitResult, InstanceRef, InstanceUser } from '../backend/types'
import type { SftpServer } from '../config/schema'
import type { SessionChannel } from '../ssh/types'
import type { Duplex } from 'node:stream'

/** Where Debian, Ubuntu, Fedora, Alpine and Arch install OpenSSH's sftp-server. */
export const SFTP_SERVER_PATHS = [
  '/usr/lib/openssh/sftp-server',
  '/usr/libexec/openssh/sftp-server',
  '/usr/lib/ssh/sftp-server',
  '/usr/libexec/sftp-server',
  '/usr/lib/sftp-server',
]

export type SftpRoute = { kind: 'daemon' } | { kind: 'container'; path: string }

/**
 * Picks the SFTP server for a session. The daemon's server works in any container but writes
 * as root, so it serves root only; everyone else gets the container's sftp-server as themselves.
 */
export async function chooseSftpRoute(
  backend: ExecBackend,
  instance: InstanceRef,
  user: InstanceUser,
  preference: SftpServer,
): Promise<SftpRoute> {
  const daemonServes = backend.openSftp !== undefined && user.uid === 0
  if (daemonServes && preference === 'daemon') return { kind: 'daemon' }

  const path = await backend.findFile(instance, SFTP_SERVER_PATHS)
  if (path) return { kind: 'container', path }
  if (daemonServes) return { kind: 'daemon' }

  throw new GatewayError(
    ErrorCode.SESSION_FAILED,
    `no sftp-server in instance "${instance.name}" for user "${user.name}"`,
    {
      userMessage: `sftp as "${user.name}" needs an sftp-server in container "${instance.name}"`,
    },
  )
}

/** How long the daemon may take to hang up after the client's EOF. */
const HANGUP_WAIT_MS = 5000

/** Told of the bytes that pass each way. */
export interface SpliceCounters {
  received(count: number): void
  sent(count: number): void
}

/**
 * Joins the channel to the daemon's SFTP stream byte for byte. The client's EOF half-closes the
 * stream; the daemon then hangs up and the session ends with exit-status 0 (OpenSSH's scp
 * counts a missing status as a failure). A hang-up before the client's EOF is a failure.
 */
export function spliceSftp(
  stream: Duplex,
  channel: SessionChannel,
  counters: SpliceCounters,
): Promise<ExitResult> {
  return new Promise((resolve, reject) => {
    let clientDone = false
    channel.input.on('data', (chunk: Buffer) => counters.received(chunk.length))
    stream.on('data', (chunk: Buffer) => counters.sent(chunk.length))
    channel.input.pipe(stream)
    stream.pipe(channel.output, { end: false })

    channel.input.once('end', () => {
      clientDone = true
      setTimeout(() => stream.destroy(), HANGUP_WAIT_MS).unref()
    })
    channel.once('close', () => stream.destroy())
    stream.on('error', () => undefined)
    stream.once('close', () => {
      if (clientDone || !channel.isOpen) return resolve({ status: 0 })
      reject(new GatewayError(ErrorCode.EXEC_LOST, 'the daemon closed the SFTP stream', {
        userMessage: 'the file transfer server closed the connection',
      }))
    })
  })
}

/** Quotes a path for `sh -c`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}
