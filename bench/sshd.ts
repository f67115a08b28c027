import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeKey, writeAuthorizedKeys } from './keys'
import { freePort, waitForBanner } from './ports'
import { processTree } from './procfs'
import { trackServer } from './spawn'
import type { ChildProcess } from 'node:child_process'
import type { Daemon, SshdProcess } from './types'

const SSHD = '/usr/sbin/sshd'

/**
 * Starts the bench's own sshd on two loopback ports: one wraps every session in `lxc exec`
 * (the set-up execgate replaces), the other serves plain internal-sftp for the SFTP reference.
 */
export async function startSshd(dir: string, keyPath: string, daemon: Daemon,
  container: string): Promise<SshdProcess> {
  const home = join(dir, 'sshd')
  await mkdir(home, { recursive: true })
  const forcedPort = await freePort()
  const sftpPort = await freePort()
  await writeFiles(home, keyPath, daemon.cli, container, forcedPort, sftpPort)
  // Debian's sshd refuses to start without its privilege separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  const child = spawn(SSHD, ['-f', join(home, 'sshd_config'), '-D', '-e'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  trackServer(child)
  const stderr = tail(child)
  await waitUntilServing(child, [forcedPort, sftpPort], stderr)
  return { pid: child.pid!, forcedPort, sftpPort, user: 'root', stop: () => stopSshd(child) }
}

async function writeFiles(home: string, keyPath: string, cli: string, container: string,
  forcedPort: number, sftpPort: number): Promise<void> {
  const hostKey = await makeKey(home, 'ssh_host_ed25519_key')
  const authorizedKeys = join(home, 'authorized_keys')
  await writeAuthorizedKeys(keyPath, authorizedKeys)
  const force = join(home, 'force-command.sh')
  await writeFile(force, forceCommand(cli, container), { mode: 0o755 })
  await mkdir(join(home, 'home'))
  await writeFile(join(home, 'sshd_config'), sshdConfig({ home, hostKey, authorizedKeys, force,
    forcedPort, sftpPort }))
}

// With a pty (SSH_TTY set) the exec must be interactive, without one it must not be; no
// command means a login shell, as sshd would give.
function forceCommand(cli: string, container: string): string {
  return `#!/bin/sh
cmd=\${SSH_ORIGINAL_COMMAND:-sh -l}
if [ -n "$SSH_TTY" ]; then exec ${cli} exec -t ${container} -- sh -c "$cmd"; fi
exec ${cli} exec -T ${container} -- sh -c "$cmd"
`
}

interface ConfigPaths {
  home: string
  hostKey: string
  authorizedKeys: string
  force: string
  forcedPort: number
  sftpPort: number
}

function sshdConfig(p: ConfigPaths): string {
  return [
    `Port ${p.forcedPort}`, `Port ${p.sftpPort}`, 'ListenAddress 127.0.0.1',
    `HostKey ${p.hostKey}`, `PidFile ${join(p.home, 'sshd.pid')}`,
    `AuthorizedKeysFile ${p.authorizedKeys}`,
    'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'UseDNS no', 'PrintMotd no', 'PrintLastLog no', 'X11Forwarding no', 'LogLevel ERROR',
    // The concurrency case opens many connections at once, 10 sessions each.
    'MaxStartups 1000', 'MaxSessions 32',
    'Subsystem sftp internal-sftp',
    // root's login shell is bash, which sources ~/.bashrc under sshd: on this kind of machine
    // that file runs pyenv and costs ~140 ms a session. A clean HOME keeps the reference honest.
    `SetEnv HOME=${join(p.home, 'home')}`,
    `Match LocalPort ${p.forcedPort}`, `  ForceCommand ${p.force}`, '',
  ].join('\n')
}

function tail(child: ChildProcess): () => string {
  let text = ''
  child.stderr!.on('data', (chunk: Buffer) => { text = (text + chunk).slice(-4000) })
  return () => text
}

async function waitUntilServing(child: ChildProcess, ports: number[], stderr: () => string) {
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) =>
    reject(new Error(`sshd exited (${code}) at start: ${stderr().trim()}`))))
  try {
    await Promise.race([Promise.all(ports.map((port) => waitForBanner(port, 10_000))), exited])
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  exited.catch(() => undefined)
}

// Session processes (sshd children, their lxc clients) are ended too: nothing may outlive us.
async function stopSshd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const tree = processTree(child.pid!)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  for (const proc of tree.slice(1)) kill(proc.pid)
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}
