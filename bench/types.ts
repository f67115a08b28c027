/** What every case needs: the processes under test and the paths to reach them. */
export interface Bench {
  options: Options
  /** The run's temp dir, removed at the end. */
  dir: string
  /** Client private key accepted by both the gateway and the bench sshd. */
  keyPath: string
  daemon: Daemon
  gateway: GatewayProcess
  sshd: SshdProcess
  container: string
}

/** Command-line options of the bench. */
export interface Options {
  quick: boolean
  daemon: 'lxd' | 'incus'
  /** Case ids to run; empty means all. */
  only: string[]
  rounds: number
  help: boolean
}

/** The container daemon that every path ends in. */
export interface Daemon {
  name: 'lxd' | 'incus'
  /** Its CLI, `lxc` or `incus`. */
  cli: string
  socket: string
  /** The daemon's main process, for CPU and memory figures. */
  pid: number | undefined
  version: string
}

/** A gateway child process on 127.0.0.1. */
export interface GatewayProcess {
  pid: number
  port: number
  /** Warn-and-above log lines and counts of every event, for the problems section. */
  log: GatewayLog
  stop(): Promise<void>
}

/** What the gateway logged, kept small. */
export interface GatewayLog {
  events: Record<string, number>
  warnings: Record<string, unknown>[]
  stderr: string[]
}

/** The bench's own OpenSSH server. */
export interface SshdProcess {
  pid: number
  /** Port whose sessions are wrapped by ForceCommand `lxc exec`. */
  forcedPort: number
  /** Port with `Subsystem sftp internal-sftp` and no ForceCommand. */
  sftpPort: number
  user: string
  stop(): Promise<void>
}

/** A program and its arguments. */
export interface Command {
  cmd: string
  args: string[]
}

/** One measurement, before it is labelled with its variant and round. */
export interface Measurement {
  ok: boolean
  /** The figure the case compares (ms, MiB/s, ...); absent when the sample failed. */
  value?: number
  error?: string
  [key: string]: unknown
}

/** One measurement of one variant. */
export interface Sample extends Measurement {
  variant: string
  round: number
}

/** Median and spread of one variant's good samples. */
export interface Summary {
  variant: string
  median: number | undefined
  min: number | undefined
  max: number | undefined
  ok: number
  failed: number
}

/** One line of the results table. */
export interface Row {
  case: string
  execgate: string
  reference: string
  ratio: number | undefined
  target: string
  result: 'PASS' | 'MISS' | '-' | 'n/a'
}

/** Everything one case produced. */
export interface CaseResult {
  id: string
  title: string
  status: 'ok' | 'unavailable' | 'failed'
  error?: string
  unit: string
  summaries: Summary[]
  rows: Row[]
  samples: Sample[]
  /** Set when the container restarted under the case: its figures are then suspect. */
  disturbed?: string
  /** Case-specific details for the JSON file (CPU tables, memory series, ...). */
  details?: Record<string, unknown>
  seconds: number
}
