import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem, release } from 'node:os'
import { run } from './spawn'
import type { Daemon } from './types'

/** The facts a reader needs to compare two runs of the bench. */
export async function describeMachine(daemon: Daemon): Promise<Record<string, string>> {
  return {
    cpu: cpuModel(),
    cores: String(cpus().length),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: release(),
    os: `Debian ${readOr('/etc/debian_version', '?').trim()}`,
    node: process.version,
    openssh: await opensshVersion(),
    daemon: daemon.version,
    // Other work on the machine skews every figure: say how busy it was at the start.
    loadAtStart: loadavg().map((l) => l.toFixed(2)).join(' '),
  }
}

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readOr('/proc/cpuinfo', ''))
  return match ? match[1].trim() : cpus()[0]?.model ?? 'unknown'
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return fallback
  }
}

async function opensshVersion(): Promise<string> {
  const result = await run({ cmd: 'ssh', args: ['-V'] }, { timeoutMs: 5000 })
  return result.stderr.trim() || 'unknown'
}
