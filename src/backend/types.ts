import type { Duplex, Readable, Writable } from 'node:stream'

/**
 * What the gateway needs from a container engine. An implementation knows its daemon and
 * nothing of SSH; the bridge sees only this interface.
 */
export interface ExecBackend {
  /** Short name of the daemon family, for logs: "lxd", "incus". */
  readonly kind: string
  /** Where the daemon is reached and what it said about itself, for logs. */
  describe(): string
  /** Looks USER up in the instance's own /etc/passwd. */
  lookupUser(instance: InstanceRef, user: string): Promise<InstanceUser>
  /** Starts a process in the instance; resolves once it runs and its streams are attached. */
  exec(spec: ExecSpec): Promise<ExecProcess>
  /** A file in USER's home (PATH relative to it), or undefined when there is none. */
  readUserFile(instance: InstanceRef, user: string, path: string): Promise<string | undefined>
  /** The first of PATHS that exists in the instance, or undefined. */
  findFile(instance: InstanceRef, paths: string[]): Promise<string | undefined>
  /**
   * For daemons that serve SFTP themselves: a raw SFTP v3 byte stream into a running instance,
   * served as root. Backends without such a server leave it out.
   */
  openSftp?(instance: InstanceRef): Promise<Duplex>
  /** Whether the instance is running now; rejects when the daemon cannot say. */
  isRunning(instance: InstanceRef): Promise<boolean>
  /** Starts the instance when it is stopped; fails when it is not running after `timeoutMs`. */
  startIfStopped(instance: InstanceRef, timeoutMs: number): Promise<StartOutcome>
  /** Resolves when the daemon answers a trivial request; rejects, saying why, when not. */
  probe(): Promise<void>
  close(): void
}

/** Whether an instance was already running or had to be started. */
export type StartOutcome = 'running' | 'started'

export interface InstanceRef {
  name: string
  /** Project (LXD/Incus) or namespace; absent means the daemon's default. */
  project?: string
}

export interface InstanceUser {
  name: string
  uid: number
  gid: number
  home: string
  shell: string
}

export interface TerminalSize {
  cols: number
  rows: number
}

export interface ExecSpec {
  instance: InstanceRef
  /** The program is always a shell: `shell -c script`, or a login shell (`shell -l`). */
  shell: string
  script?: string
  env: Record<string, string>
  uid: number
  gid: number
  cwd?: string
  /** Present for an interactive exec: the process gets a terminal of this size. */
  terminal?: TerminalSize
  /**
   * Marks every process this exec starts (children inherit it), so that processes left behind
   * can be found and ended.
   */
  sessionTag: string
}

/** The outcome a backend reports once a process has finished. */
export interface ExitResult {
  /** The exit status as the daemon reports it: 128+n for a death by signal n. */
  status: number
}

export interface ExecProcess {
  /** Bytes for the process's standard input; end() is end of input. */
  readonly stdin: Writable
  /** Standard output, or the terminal's output for an interactive exec. */
  readonly stdout: Readable
  /** Standard error; null for an interactive exec, where it shares the terminal. */
  readonly stderr: Readable | null
  /** Settles when the main process has exited; its children and output may outlive it. */
  readonly exited: Promise<void>
  /** Settles once output has ended and the daemon has reported the exit status. */
  readonly finished: Promise<ExitResult>
  resize(size: TerminalSize): void
  signal(signo: number): void
  /**
   * Ends processes of this exec that still hold its output open after the main process exited,
   * so the daemon can report the exit status. A no-op for daemons that end output themselves.
   */
  releaseLeftovers(): Promise<void>
  /** Ends the main process and every process it started; the client is gone. */
  terminate(): Promise<void>
}
