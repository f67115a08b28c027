import { run, start } from './process'
import type { RunOptions, RunResult, Running } from './process'

/** Where a gateway listens and the key it accepts. */
export interface SshTarget {
  port: number
  keyPath: string
}

/** One OpenSSH client run. */
export interface SshOptions extends RunOptions {
  /** The login name: the container. */
  user: string
  /** The remote command; a shell (or `-N`) when absent. */
  command?: string
  /** More client options, placed first so that they win (`-v`, `-tt`, `-o X=y`). */
  args?: string[]
}

/** Options that make OpenSSH run unattended against a throw-away host key. */
export function clientOptions(target: SshTarget): string[] {
  return ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=10', '-i', target.keyPath]
}

/** The full `ssh` argument list for `options`. */
export function sshArgs(target: SshTarget, options: SshOptions): string[] {
  const command = options.command === undefined ? [] : [options.command]
  return [...options.args ?? [], ...clientOptions(target), '-p', String(target.port),
    `${options.user}@127.0.0.1`, ...command]
}

/** Runs `ssh` to the end. */
export function runSsh(target: SshTarget, options: SshOptions): Promise<RunResult> {
  return run('ssh', sshArgs(target, options), options)
}

/** Starts `ssh` and returns at once, for tests that act while it runs. */
export function startSsh(target: SshTarget, options: SshOptions): Running {
  return start('ssh', sshArgs(target, options), options)
}

/** Runs `sftp -b BATCHFILE` against the gateway. */
export function runSftp(target: SshTarget, user: string, batchFile: string) {
  return run('sftp', [...clientOptions(target), '-P', String(target.port), '-b', batchFile,
    `${user}@127.0.0.1`])
}
