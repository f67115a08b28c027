import type { Bench, Command } from './types'

/** Per-path knobs of one ssh run. */
export interface SshOptions {
  /** `-tt`: a pty even though stdin is not a terminal. */
  tty?: boolean
  /** `-c CIPHER`; the client's default when absent. */
  cipher?: string
  /** `-v`, for the negotiation report. */
  verbose?: boolean
}

/** Options every OpenSSH client run shares: no user config, no prompts, no known_hosts. */
function commonOptions(keyPath: string, verbose: boolean): string[] {
  return ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none', '-o', 'ConnectTimeout=20', '-o', `LogLevel=${verbose ? 'DEBUG1' :
      'ERROR'}`, '-i', keyPath]
}

function ssh(keyPath: string, port: number, login: string, remote: string | undefined,
  options: SshOptions): Command {
  const args = [...commonOptions(keyPath, options.verbose ?? false), '-p', String(port),
    options.tty ? '-tt' : '-T']
  if (options.cipher) args.push('-c', options.cipher)
  args.push(`${login}@127.0.0.1`)
  if (remote !== undefined) args.push(remote)
  return { cmd: 'ssh', args }
}

/** `ssh c1@gateway REMOTE`. */
export function viaGateway(bench: Bench, remote: string, options: SshOptions = {}): Command {
  return ssh(bench.keyPath, bench.gateway.port, bench.container, remote, options)
}

/** `ssh root@sshd REMOTE`, wrapped by ForceCommand `lxc exec`. */
export function viaSshd(bench: Bench, remote: string, options: SshOptions = {}): Command {
  return ssh(bench.keyPath, bench.sshd.forcedPort, bench.sshd.user, remote, options)
}

/** `ssh root@sshd` on the plain (internal-sftp) port. */
export function viaSshdPlain(bench: Bench, remote: string, options: SshOptions = {}): Command {
  return ssh(bench.keyPath, bench.sshd.sftpPort, bench.sshd.user, remote, options)
}

/** `lxc exec [-t|-T] c1 -- ...`: the daemon's own client, no SSH at all. */
export function viaCli(bench: Bench, argv: string[], mode?: '-t' | '-T'): Command {
  const args = ['exec', ...(mode ? [mode] : []), bench.container, '--', ...argv]
  return { cmd: bench.daemon.cli, args }
}

/** `sftp -b BATCH` to a port as a login. */
export function sftp(bench: Bench, port: number, login: string, batch: string): Command {
  return { cmd: 'sftp', args: [...commonOptions(bench.keyPath, false), '-P', String(port),
    '-b', batch, `${login}@127.0.0.1`] }
}
