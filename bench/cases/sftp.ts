import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { onCleanup } from '../cleanup'
import { shortError } from '../format'
import { interleave, showValue } from '../interleave'
import { sizeText } from '../plan'
import { compareRow, summaries, unavailableRow } from '../rows'
import { output, run } from '../spawn'
import { sftp, viaCli } from '../ssh-cli'
import { TARGETS } from '../targets'
import type { BenchCase, CaseOutcome } from '../case'
import type { Variant } from '../interleave'
import type { Plan } from '../plan'
import type { Bench, Command, Measurement } from '../types'

const UNIT = 'MiB/s'
const MiB = 1024 * 1024
/** Files in the container, removed at the end. */
const REMOTE_SRC = '/root/execgate-bench-sftp-src'
const REMOTE_PUT = '/root/execgate-bench-sftp-put'

/** `sftp get` and `sftp put` through execgate against OpenSSH's sftp to the bench sshd. */
export const sftpCase: BenchCase = {
  id: 'sftp',
  title: (plan) => `sftp get and put of ${sizeText(plan.sftpBytes)}`,
  timeoutMs: (plan) => 60_000 + plan.rounds * 4 * (30_000 + plan.sftpBytes / (2 * MiB) * 1000),
  run: runSftp,
}

/** Local paths of the case. */
interface Files {
  dir: string
  src: string
  got: string
  put: string
}

async function runSftp(bench: Bench, plan: Plan): Promise<CaseOutcome> {
  const files = await prepareLocal(bench, plan.sftpBytes)
  const probe = await probeGateway(bench, files)
  if (probe) return unavailable(plan, probe)

  await prepareContainer(bench, plan.sftpBytes)
  const samples = await interleave('sftp', plan.rounds, variants(bench, plan, files),
    showValue(UNIT))
  const label = `sftp ${sizeText(plan.sftpBytes)}`
  return { status: 'ok', unit: UNIT, samples, summaries: summaries(samples), rows: [
    compareRow(`${label} get`, samples, 'execgate get', 'OpenSSH sftp get', UNIT, TARGETS.sftp),
    compareRow(`${label} put`, samples, 'execgate put', 'OpenSSH sftp put', UNIT, TARGETS.sftp),
  ] }
}

async function prepareLocal(bench: Bench, bytes: number): Promise<Files> {
  const dir = join(bench.dir, 'sftp')
  await mkdir(dir, { recursive: true })
  const files = { dir, src: join(dir, 'src'), got: join(dir, 'got'), put: join(dir, 'put') }
  await writeFile(files.src, Buffer.alloc(bytes))
  return files
}

/** Why SFTP through the gateway does not work, or undefined when it does. */
async function probeGateway(bench: Bench, files: Files): Promise<string | undefined> {
  const batch = await writeBatch(files, 'probe', 'pwd')
  const result = await run(sftp(bench, bench.gateway.port, bench.container, batch),
    { timeoutMs: 20_000 })
  if (result.timedOut) return 'sftp through execgate timed out after 20 s'
  if (result.code === 0) return undefined
  return `sftp exit ${result.code ?? result.signal}: ${shortError(result.stderr || 'no stderr')}`
}

function unavailable(plan: Plan, reason: string): CaseOutcome {
  process.stdout.write(`  unavailable: ${reason}\n`)
  const label = `sftp ${sizeText(plan.sftpBytes)}`
  return { status: 'unavailable', error: reason, unit: UNIT, samples: [], summaries: [], rows: [
    unavailableRow(`${label} get`, reason, TARGETS.sftp),
    unavailableRow(`${label} put`, reason, TARGETS.sftp),
  ] }
}

async function prepareContainer(bench: Bench, bytes: number): Promise<void> {
  onCleanup('sftp files in the container', async () => {
    await output(viaCli(bench, ['rm', '-f', REMOTE_SRC, REMOTE_PUT]), 30_000)
  })
  await output(viaCli(bench, ['sh', '-c', `head -c ${bytes} /dev/zero >${REMOTE_SRC}`]), 120_000)
}

async function writeBatch(files: Files, name: string, line: string): Promise<string> {
  const path = join(files.dir, `${name}.batch`)
  await writeFile(path, `${line}\n`)
  return path
}

function variants(bench: Bench, plan: Plan, files: Files): Variant[] {
  const gw = (batch: string) => sftp(bench, bench.gateway.port, bench.container, batch)
  const ref = (batch: string) => sftp(bench, bench.sshd.sftpPort, bench.sshd.user, batch)
  const bytes = plan.sftpBytes
  const localSize = (path: string) => async () => (await stat(path)).size
  const containerSize = async () => Number(await output(viaCli(bench, ['stat', '-c', '%s',
    REMOTE_PUT])))
  const variant = (name: string, command: (batch: string) => Command, line: string,
    size: () => Promise<number>): Variant => ({ name, run: async () => sample(
      command(await writeBatch(files, name.replace(/\W+/g, '-'), line)), bytes, size, files) })
  return [
    variant('execgate get', gw, `get ${REMOTE_SRC} ${files.got}`, localSize(files.got)),
    variant('OpenSSH sftp get', ref, `get ${files.src} ${files.got}`, localSize(files.got)),
    variant('execgate put', gw, `put ${files.src} ${REMOTE_PUT}`, containerSize),
    variant('OpenSSH sftp put', ref, `put ${files.src} ${files.put}`, localSize(files.put)),
  ]
}

async function sample(command: Command, bytes: number, size: () => Promise<number>,
  files: Files): Promise<Measurement> {
  await rm(files.got, { force: true })
  const result = await run(command, { timeoutMs: 30_000 + bytes / (2 * MiB) * 1000 })
  if (result.timedOut) return { ok: false, error: `timed out after ${Math.round(result.ms)} ms` }
  if (result.code !== 0) {
    return { ok: false, error: `exit ${result.code}: ${shortError(result.stderr || 'no stderr')}` }
  }
  const got = await size().catch(() => -1)
  if (got !== bytes) return { ok: false, error: `transferred ${got} of ${bytes} bytes` }
  const seconds = result.ms / 1000
  return { ok: true, value: bytes / MiB / seconds, seconds: Math.round(result.ms) / 1000 }
}
