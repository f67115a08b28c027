/** What validateConfig and loadConfig return when nothing is configured. */
export const DEFAULTS = {
  listen: { host: '0.0.0.0', port: 2222 },
  hostKeysDir: 'keys',
  authorizedKeysFile: 'config/authorized_keys',
  logLevel: 'info',
  backend: { url: undefined, tls: undefined },
  backends: {},
  routes: [],
  login: { defaultUser: 'root', defaultProject: undefined },
  auth: {
    maxTries: 6,
    graceMs: 120000,
    maxUnauthenticated: 100,
    containerKeys: false,
    trustedUserCAKeys: undefined,
  },
  ssh: { acceptEnv: ['LANG', 'LC_*'], maxSessions: 10 },
  session: { drainMs: 1000, sendExitSignal: false, autoStart: false, autoStartTimeoutMs: 30000 },
  sftp: { server: 'daemon' },
  shutdown: { graceMs: 10000 },
  metrics: { probeIntervalMs: 10000 },
}
