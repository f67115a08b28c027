import { DEFAULT_RECORDING } from './recording'
import type { RecordingConfig } from './recording'
import { DEFAULT_TIMEOUTS } from './timeouts'
import type { TimeoutsConfig } from './timeouts'
import { DEFAULT_METRICS_CONFIG } from './metrics'
import type { MetricsConfig } from './metrics'

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
  /** The default backend, named `default` in routes. */
  backend: BackendConfig
  /** More daemons by name, reached through `routes`. @default {} */
  backends: Record<string, BackendConfig>
  /** Which containers go to which named backend; the first match wins. @default [] */
  routes: RouteConfig[]
  login: LoginConfig
  auth: AuthConfig
  ssh: SshConfig
  session: SessionConfig
  sftp: SftpConfig
  shutdown: ShutdownConfig
  /** Session recording (asciicast files and exec audit lines); off without `dir`. */
  recording: RecordingConfig
  timeouts: TimeoutsConfig
  /** The metrics and health endpoint; off by default. */
  metrics: MetricsConfig
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

export interface RouteConfig {
  /** Container patterns, `NAME` or `NAME.PROJECT` (default project without one), with globs. */
  containers: string[]
  /** A name from `backends`, or `default`. */
  backend: string
}

export interface BackendTlsConfig {
  /** PEM client certificate trusted by the daemon. */
  clientCert: string
  /** PEM private key of the client certificate. */
  clientKey: string
  /**
   * SHA-256 fingerprint of the daemon's certificate, hex with or without colons. Required with an
   * https:// url: the gateway never trusts a daemon's certificate on first use.
   */
  serverFingerprint?: string
}

export interface LoginConfig {
  /** The user when the login name has none (`ssh web1@gw`). @default root */
  defaultUser: string
  /** The project when the login name has none; absent means the daemon's default project. */
  defaultProject?: string
}

export interface AuthConfig {
  /** Failed authentication requests allowed per connection, as sshd's MaxAuthTries. @default 6 */
  maxTries: number
  /** Time to authenticate before the connection is dropped (LoginGraceTime). @default 120000 */
  graceMs: number
  /** Connections still authenticating at once; more are dropped (MaxStartups). @default 100 */
  maxUnauthenticated: number
  /**
   * Let the target user's own ~/.ssh/authorized_keys inside the container grant access to that
   * user in that container, as sshd on the container would. @default false
   */
  containerKeys: boolean
  /** File of CA public keys whose user certificates are accepted (TrustedUserCAKeys). */
  trustedUserCAKeys?: string
}

export interface SshConfig {
  /**
   * Environment names a client may set, with `*` globs, as sshd's AcceptEnv.
   * @default [LANG, LC_*]
   */
  acceptEnv: string[]
  /** Session channels open at once on one connection (MaxSessions). @default 10 */
  maxSessions: number
}

export interface SessionConfig {
  /**
   * How long to wait, after the session's main process exits, for the rest of its output and its
   * exit status before processes still holding the session's output are ended. @default 1000
   */
  drainMs: number
  /** Send RFC 4254 exit-signal instead of exit-status 128+n for signal deaths. @default false */
  sendExitSignal: boolean
  /** Start a stopped container when a session asks for it. @default false */
  autoStart: boolean
  /** How long an auto-start may take before the session fails. @default 30000 */
  autoStartTimeoutMs: number
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
  backends: {},
  routes: [],
  login: { defaultUser: 'root' },
  auth: { maxTries: 6, graceMs: 120_000, maxUnauthenticated: 100, containerKeys: false },
  ssh: { acceptEnv: ['LANG', 'LC_*'], maxSessions: 10 },
  session: { drainMs: 1000, sendExitSignal: false, autoStart: false, autoStartTimeoutMs: 30_000 },
  sftp: { server: 'daemon' },
  shutdown: { graceMs: 10000 },
  recording: DEFAULT_RECORDING,
  timeouts: { ...DEFAULT_TIMEOUTS },
  metrics: DEFAULT_METRICS_CONFIG,
}
