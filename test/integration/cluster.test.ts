import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGateway } from '../helpers/gateway'
import { TLS_DIR, runFailingStart, tlsConfig } from '../helpers/https'
import { runOk, sha256 } from '../helpers/process'
import { runSftp, runSsh, startSsh } from '../helpers/ssh'
import { uniqueSleep } from '../helpers/markers'
import { waitFor } from '../helpers/wait'
import type { Gateway } from '../helpers/gateway'

/** What scripts/setup-cluster.sh builds: two LXD members, each in a network namespace. */
const MEMBER_URL = 'https://10.250.0.11:8443'
const MEMBER_DIR = (member: string) => `/var/lib/execgate-cluster/${member}`
/** cl-a runs on m1, the member the gateway talks to; cl-b on m2, reached only through m1. */
const ON_OTHER_MEMBER = 'cl-b'

function memberLxc(args: string[]) {
  return runOk('lxc', args, { env: { LXD_DIR: MEMBER_DIR('m1') }, timeoutMs: 15000 })
}

async function clusterFingerprint(): Promise<string> {
  const file = join(TLS_DIR, 'cluster.sha256')
  const fingerprint = (await readFile(file, 'utf8').catch(() => '')).trim()
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) {
    throw new Error(`no cluster fingerprint in ${file}; run scripts/setup-cluster.sh`)
  }
  return fingerprint
}

/** Processes in a container whose command line holds `marker`, seen through the cluster. */
async function markedIn(container: string, marker: string): Promise<string[]> {
  const ps = await memberLxc(['exec', container, '--', 'ps', '-o', 'args'])
  return ps.split('\n').filter((line) => line.includes(marker) && !line.startsWith('ps '))
}

describe('an LXD cluster as one backend', function () {
  this.timeout(60000)
  let gateway: Gateway
  let dir: string

  before(async function () {
    this.timeout(30000)
    const location = await memberLxc(['list', `^${ON_OTHER_MEMBER}$`, '-c', 'L', '-f', 'csv'])
    expect(location.trim(), `${ON_OTHER_MEMBER} runs on the other member`).to.equal('m2')
    gateway = await startGateway({
      backend: MEMBER_URL,
      config: tlsConfig('client', await clusterFingerprint()),
    })
    dir = await mkdtemp(join(tmpdir(), 'execgate-cluster-'))
  })

  after(async function () {
    this.timeout(30000)
    await gateway?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('runs a command on either member with its output and exit status', async () => {
    for (const container of ['cl-a', ON_OTHER_MEMBER]) {
      const r = await runSsh(gateway, { user: container, command: 'hostname; echo e >&2; exit 4' })
      expect(r.stdout.toString(), `${container} stdout`).to.equal(`${container}\n`)
      expect(r.stderr, `${container} stderr`).to.equal('e\n')
      expect(r.code, `${container} exit status`).to.equal(4)
    }
  })

  it('carries 16 MB of stdin exactly to the other member', async () => {
    const input = randomBytes(16 * 1024 * 1024)
    const r = await runSsh(gateway, { user: ON_OTHER_MEMBER, command: 'sha256sum', stdin: input })
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout.toString().split(' ')[0]).to.equal(sha256(input))
  })

  it('reports a signal death on the other member as 128+n', async () => {
    const r = await runSsh(gateway, { user: ON_OTHER_MEMBER, command: 'kill -TERM $$' })
    expect(r.code).to.equal(143)
  })

  it('moves a file to the other member and back with sftp', async () => {
    const content = randomBytes(4 * 1024 * 1024)
    const local = join(dir, 'up.bin')
    const back = join(dir, 'down.bin')
    const batch = join(dir, 'batch')
    await writeFile(local, content)
    await writeFile(batch, `put ${local} /tmp/cluster.bin\nget /tmp/cluster.bin ${back}\n`)

    const r = await runSftp(gateway, ON_OTHER_MEMBER, batch)
    expect(r.code, r.stderr).to.equal(0)
    expect(sha256(await readFile(back))).to.equal(sha256(content))
    await memberLxc(['exec', ON_OTHER_MEMBER, '--', 'rm', '-f', '/tmp/cluster.bin'])
  })

  it('ends the command on the other member when the client is killed', async () => {
    const marker = uniqueSleep()
    const running = startSsh(gateway, { user: ON_OTHER_MEMBER, command: marker })
    await waitFor('the command on m2', async () =>
      (await markedIn(ON_OTHER_MEMBER, marker)).length > 0 || undefined, 10000, 200)

    running.child.kill('SIGKILL')
    await running.done
    const killedAt = Date.now()
    await waitFor('the command gone', async () =>
      (await markedIn(ON_OTHER_MEMBER, marker)).length === 0 || undefined, 5500, 200)
    expect(Date.now() - killedAt, 'ms until it was gone').to.be.below(5500)
  })

  it('refuses to start when the pin is not the cluster certificate', async () => {
    const standalone = (await readFile(join(TLS_DIR, 'lxd.sha256'), 'utf8')).trim()
    const r = await runFailingStart(MEMBER_URL, tlsConfig('client', standalone))
    expect(r.code, 'exit status').to.equal(1)
    expect(r.stderr).to.match(/^execgate: server certificate fingerprint mismatch: /)
  })
})
