import { interleave, showValue } from '../interleave'
import { sizeText } from '../plan'
import { compareRow, summaries } from '../rows'
import { medianOf } from '../stats'
import { viaCli, viaGateway, viaSshd } from '../ssh-cli'
import { TARGETS } from '../targets'
import { transferSample } from '../transfer'
import type { BenchCase, CaseOutcome } from '../case'
import type { Variant } from '../interleave'
import type { Plan } from '../plan'
import type { Bench, Row, Sample } from '../types'

const UNIT = 'MiB/s'

/** What differs between the download, upload and pty download cases. */
interface TransferCase {
  id: string
  name: string
  bytes: (plan: Plan) => number
  /** The remote command, given the byte count. */
  remote: (bytes: number) => string
  direction: 'down' | 'up'
  tty: boolean
}

/** `ssh c1@gw 'head -c N /dev/zero' >/dev/null` against `lxc exec -T` and sshd. */
export const download = throughputCase({ id: 'download', name: 'download', direction: 'down',
  tty: false, bytes: (p) => p.downloadBytes, remote: (n) => `head -c ${n} /dev/zero` })

/** `head -c N /dev/zero | ssh c1@gw 'cat >/dev/null'` against `lxc exec -T` and sshd. */
export const upload = throughputCase({ id: 'upload', name: 'upload', direction: 'up',
  tty: false, bytes: (p) => p.uploadBytes, remote: () => 'cat >/dev/null' })

/** `ssh -tt c1@gw 'head -c N /dev/zero'` against `lxc exec -t` and sshd with `-tt`. */
export const ptyDownload = throughputCase({ id: 'pty-download', name: 'pty download',
  direction: 'down', tty: true, bytes: (p) => p.ptyBytes, remote: (n) => `head -c ${n} /dev/zero` })

function throughputCase(spec: TransferCase): BenchCase {
  return {
    id: spec.id,
    title: (plan) => `${spec.name} ${sizeText(spec.bytes(plan))}${spec.tty ? ' under a pty' : ''}`,
    // Each sample bounds itself (at 2 MiB/s + 30 s); this only catches what sits outside them.
    timeoutMs: (plan) => plan.rounds * variantCount(plan) *
      (60_000 + spec.bytes(plan) / 2 / 1024 / 1024 * 1000),
    run: (bench, plan) => runThroughput(bench, plan, spec),
  }
}

function variantCount(plan: Plan): number {
  return plan.ciphers.length * 2 + 1
}

function cliName(spec: TransferCase): string {
  return `lxc exec ${spec.tty ? '-t' : '-T'}`
}

/** `chacha20-poly1305@openssh.com` -> `chacha20`. */
export function cipherName(cipher: string): string {
  return cipher.replace(/-poly1305@openssh\.com$|@openssh\.com$/, '')
}

function variants(bench: Bench, plan: Plan, spec: TransferCase): Variant[] {
  const bytes = spec.bytes(plan)
  const remote = spec.remote(bytes)
  const sample = (command: ReturnType<typeof viaGateway>) => () =>
    transferSample(bench, { command, bytes, direction: spec.direction, tty: spec.tty })
  const cli = viaCli(bench, ['sh', '-c', remote], spec.tty ? '-t' : '-T')
  const list: Variant[] = []
  for (const cipher of plan.ciphers) {
    const options = { tty: spec.tty, cipher }
    list.push({ name: `execgate ${cipherName(cipher)}`,
      run: sample(viaGateway(bench, remote, options)) })
    // The daemon's CLI has no cipher: it runs once per round, between the first pair.
    if (list.length === 1) list.push({ name: cliName(spec), run: sample(cli) })
    list.push({ name: `sshd+ForceCommand ${cipherName(cipher)}`,
      run: sample(viaSshd(bench, remote, options)) })
  }
  return list
}

async function runThroughput(bench: Bench, plan: Plan, spec: TransferCase): Promise<CaseOutcome> {
  const samples = await interleave(spec.name, plan.rounds, variants(bench, plan, spec),
    showValue(UNIT))
  return { status: 'ok', unit: UNIT, samples, summaries: summaries(samples),
    rows: rows(plan, spec, samples), details: { cpuSeconds: cpuTable(samples) } }
}

function rows(plan: Plan, spec: TransferCase, samples: Sample[]): Row[] {
  const label = `${spec.name} ${sizeText(spec.bytes(plan))}`
  return plan.ciphers.flatMap((cipher) => {
    const name = cipherName(cipher)
    const mine = `execgate ${name}`
    return [
      compareRow(`${label} ${name}`, samples, mine, cliName(spec), UNIT, TARGETS.transfer),
      compareRow(`${label} ${name}`, samples, mine, `sshd+ForceCommand ${name}`, UNIT),
    ]
  })
}

/** Median CPU seconds per process, for each variant. */
function cpuTable(samples: Sample[]): Record<string, Record<string, number | undefined>> {
  const table: Record<string, Record<string, number | undefined>> = {}
  for (const variant of new Set(samples.map((s) => s.variant))) {
    const pick = (key: string) => (s: Sample) => (s.cpu as Record<string, unknown>)?.[key]
    table[variant] = Object.fromEntries(['client', 'gateway', 'sshd', 'daemon']
      .map((key) => [key, medianOf(samples, variant, pick(key))]))
  }
  return table
}
