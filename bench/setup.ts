import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onCleanup } from './cleanup'
import { describeDaemon, setupDaemon } from './daemon'
import { startGateway } from './gateway'
import { makeKey } from './keys'
import { PROJECT_ROOT } from './root'
import { startSshd } from './sshd'
import type { Bench, Options } from './types'

const CONTAINER = 'c1'

/** Daemon, temp dir, client key, the bench sshd and the gateway; each one undone at cleanup. */
export async function setUp(options: Options): Promise<Bench> {
  say(`daemon set-up (scripts/setup-daemons.sh, ${options.daemon})`)
  await setupDaemon(PROJECT_ROOT, options.daemon)
  const daemon = await describeDaemon(options.daemon)
  const dir = await mkdtemp(join(tmpdir(), 'execgate-bench-'))
  onCleanup('temp dir', () => rm(dir, { recursive: true, force: true }))
  const keyPath = await makeKey(dir, 'client_key')
  say('starting the bench sshd')
  const sshd = await startSshd(dir, keyPath, daemon, CONTAINER)
  onCleanup('sshd', () => sshd.stop())
  say('starting the gateway')
  const gateway = await startGateway(PROJECT_ROOT, dir, 'gateway', keyPath, daemon)
  onCleanup('gateway', () => gateway.stop())
  say(`gateway on 127.0.0.1:${gateway.port} (pid ${gateway.pid}), sshd on ` +
    `${sshd.forcedPort} (ForceCommand) and ${sshd.sftpPort} (sftp), ${daemon.version}`)
  return { options, dir, keyPath, daemon, gateway, sshd, container: CONTAINER }
}

function say(text: string): void {
  process.stdout.write(`setup: ${text}\n`)
}
