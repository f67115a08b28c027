import { createServer } from 'node:net'
import type { AddressInfo, Server as NetServer, Socket } from 'node:net'
import type { Logger } from 'pino'
import { Server } from 'ssh2'
import type { ClientInfo, Connection } from 'ssh2'

import { LogThrottle } from '../log/throttle'
import { SILENT_SSH_OBSERVER } from '../metrics/observer'
import { ClientConnection } from './connection'
import { cutUnresponsive, keepaliveServerOptions } from './keepalive'
import type { DropReason, SshObserver } from '../metrics/observer'
import type { ConnectionSettings } from './connection'
import type { HostKey } from './host-keys'
import type { KeepaliveSettings } from './keepalive'

export interface SshServerOptions {
  host: string
  port: number
  /** Connections still authenticating at once; more are dropped on arrival (MaxStartups). */
  maxUnauthenticated: number
  /** Time from accept to authentication, banner exchange included (LoginGraceTime). */
  loginGraceMs: number
  hostKeys: HostKey[]
  /** Probes for silent clients, as sshd's ClientAliveInterval and ClientAliveCountMax. */
  keepalive: KeepaliveSettings
  connection: ConnectionSettings
  log: Logger
  /** Told of every connection and authentication request; absent means nobody counts. */
  observer?: SshObserver
}

/** What a configuration reload may change without a restart. */
export type ReloadableServerSettings =
  Pick<SshServerOptions, 'connection' | 'maxUnauthenticated' | 'loginGraceMs'>

/** How often a burst of dropped connections is logged, per reason. */
const DROP_LOG_INTERVAL_MS = 5000

/** The software version in our banner, as sshd sends "OpenSSH_9.2p1". */
const IDENT = 'execgate_0.1'

/**
 * Accepts TCP connections itself and hands each socket to ssh2, so that every socket gets
 * TCP_NODELAY: with Nagle on, a command's round trip took about four times as long.
 */
export class SshServer {
  private readonly ssh: Server
  private readonly tcp: NetServer
  private readonly sockets = new Map<string, Socket>()
  private readonly unauthenticated = new Set<Socket>()
  private readonly connections = new Set<ClientConnection>()
  private readonly dropLog = new LogThrottle(DROP_LOG_INTERVAL_MS)
  private readonly observer: SshObserver

  constructor(private options: SshServerOptions) {
    this.observer = options.observer ?? SILENT_SSH_OBSERVER
    this.ssh = new Server({
      hostKeys: options.hostKeys.map((key) => key.privateKey),
      ident: IDENT,
      ...keepaliveServerOptions(options.keepalive),
    })
    this.ssh.on('connection', (client, info) => this.onClient(client, info))
    this.tcp = createServer((socket) => this.onSocket(socket))
  }

  /**
   * New connections get these settings and limits from now on; connections already open keep
   * the ones they began with, keys and key options included.
   */
  useSettings(update: ReloadableServerSettings): void {
    this.options = { ...this.options, ...update }
  }

  get connectionCount(): number {
    return this.connections.size
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject)
      this.tcp.listen(this.options.port, this.options.host, () => {
        this.tcp.off('error', reject)
        resolve(this.tcp.address() as AddressInfo)
      })
    })
  }

  /** Stops accepting; resolves at once, connections already open go on. */
  stopAccepting(): void {
    this.tcp.close()
  }

  /** Resolves when every client has disconnected, or after ms, whichever comes first. */
  async waitForDisconnects(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (this.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  disconnectAll(): void {
    for (const connection of this.connections) connection.end()
    for (const socket of this.sockets.values()) socket.destroy()
  }

  private onSocket(socket: Socket): void {
    this.observer.connectionAccepted()
    if (this.unauthenticated.size >= this.options.maxUnauthenticated) {
      this.drop(socket, 'maxUnauthenticated', 'too many connections authenticating')
      this.observer.connectionClosed(false)
      return
    }

    // The grace time runs from accept, so a peer that never sends a banner is dropped too.
    this.unauthenticated.add(socket)
    const grace = setTimeout(() => this.onGraceOver(socket), this.options.loginGraceMs)
    socket.once('close', () => {
      clearTimeout(grace)
      // Still in the set means it never authenticated.
      this.observer.connectionClosed(!this.unauthenticated.delete(socket))
    })
    socket.setNoDelay(true)
    const key = socketKey(socket.remoteAddress, socket.remotePort)
    this.sockets.set(key, socket)
    socket.once('close', () => this.sockets.delete(key))
    socket.on('error', () => undefined)
    this.ssh.injectSocket(socket)
  }

  private onGraceOver(socket: Socket): void {
    if (this.unauthenticated.has(socket)) {
      this.drop(socket, 'loginGraceTime', 'no authentication within the grace time')
    }
  }

  /**
   * Logged at warn: a pile-up of these is an attack or a misconfigured client, not one user.
   * A burst logs one line per reason every few seconds, with the count held back.
   */
  private drop(socket: Socket, reason: keyof typeof DROP_REASONS, message: string): void {
    const remoteAddr = socket.remoteAddress
    socket.destroy()
    this.observer.connectionDropped(DROP_REASONS[reason])

    const admitted = this.dropLog.admit(reason)
    if (!admitted) return
    this.options.log.warn(
      { event: 'connection_dropped', reason, remoteAddr, heldBack: admitted.heldBack },
      message,
    )
  }

  private onClient(client: Connection, info: ClientInfo): void {
    const socket = this.sockets.get(socketKey(info.ip, info.port))
    const connection = new ClientConnection(
      client,
      {
        remoteAddress: info.ip,
        remotePort: info.port,
        localAddress: socket?.localAddress ?? '',
        localPort: socket?.localPort ?? 0,
      },
      {
        ...this.options.connection,
        observer: this.observer,
        onAuthenticated: () => this.onAuthenticated(socket),
        onUnresponsive: () => socket && cutUnresponsive(socket),
      },
      this.options.log,
    )
    this.connections.add(connection)
    client.once('close', () => this.connections.delete(connection))
  }

  private onAuthenticated(socket: Socket | undefined): void {
    if (socket) this.unauthenticated.delete(socket)
    this.observer.connectionAuthenticated()
  }
}

/** The log's reason names, and the observer's. */
const DROP_REASONS = {
  maxUnauthenticated: 'max_unauthenticated',
  loginGraceTime: 'login_grace_time',
} as const satisfies Record<string, DropReason>

function socketKey(address: string | undefined, port: number | undefined): string {
  return `${address}:${port}`
}
