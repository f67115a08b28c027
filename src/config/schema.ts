/** The gateway's whole configuration, after defaults are applied and values validated. */
export interface GatewayConfig {
  /** Where the SSH server listens. Port 0 picks a free port. @default 0.0.0.0:2222 */
  listen: ListenAddress
  /** Folder of host keys; missing ones are generated on first start. @default keys */
  hostKeysDir: string
  /** OpenSSH authorized_keys file. @default config/authorized_keys */
  authorizedKeysFile: string
  /** pino level: fatal, error, warn, info, debug, trace, silent. @default info */
  logLevel: string
  backend: BackendConfig
  ssh: SshConfig
  session: SessionConfig
  sftp: SftpConfig
  shutdown: ShutdownConfig
}

export interface ListenAddress {
  host: string
  port: number
}

export interface BackendConfig {
  /** A unix socket path or an https:// URL; absent means detect the local daemon. */
  url?: string
  /** Client certificate and server pin for an https:// backend. */
  tls?: BackendTlsConfig
}

export interface BackendTlsConfig {
  /** PEM client certificate trusted by the daemon. */
  clientCert: string
  /** PEM private key of the client certificate. */
  clientKey: string
  /** SHA-256 fingerprint of the daemon's certificate, hex with or without colons. */
  serverFingerprint?: string
}

export interface SshConfig {
  /** Environment names a client may set, with `*` globs, as sshd's AcceptEnv. @default [LANG, LC_*] */
  acceptEnv: string[]
}

export interface SessionConfig {
  /**
   * How long to wait, after the session's main process exits, for the rest of its output and its
   * exit status before processes still holding the session's output are ended. @default 1000
   */
  drainMs: number
  /** Send RFC 4254 exit-signal instead of exit-status 128+n for signal deaths. @default false */
  sendExitSignal: boolean
}

/** Which SFTP server serves the sftp subsystem. */
export type SftpServer = 'daemon' | 'container'

export interface SftpConfig {
  /**
   * `daemon`: the daemon's own SFTP server, which needs nothing in the container and runs as
   * root; sessions of other users use the container's sftp-server, so their files are theirs.
   * `container`: the container's sftp-server for everyone, the daemon's for root when the
   * container has none. @default daemon
   */
  server: SftpServer
}

export interface ShutdownConfig {
  /** On SIGTERM, how long running sessions may go on before they are ended. @default 10000 */
  graceMs: number
}

export const DEFAULT_CONFIG: GatewayConfig = {
  listen: { host: '0.0.0.0', port: 2222 },
  hostKeysDir: 'keys',
  authorizedKeysFile: 'config/authorized_keys',
  logLevel: 'info',
  backend: {},
  ssh: { acceptEnv: ['LANG', 'LC_*'] },
  session: { drainMs: 1000, sendExitSignal: false },
  sftp: { server: 'daemon' },
  shutdown: { graceMs: 10000 },
}
