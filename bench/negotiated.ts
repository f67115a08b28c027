import { run } from './spawn'
import { viaGateway, viaSshd, viaSshdPlain } from './ssh-cli'
import type { Bench, Command } from './types'

/** What OpenSSH's client agreed on with one server, with its default preferences. */
export interface Negotiated {
  path: string
  kex?: string
  cipher?: string
  hostKey?: string
  error?: string
}

/** Runs `ssh -v ... true` once per path and reads the algorithms from its debug output. */
export async function negotiatedAlgorithms(bench: Bench): Promise<Negotiated[]> {
  return [
    await negotiate('execgate', viaGateway(bench, 'true', { verbose: true })),
    await negotiate('sshd+ForceCommand', viaSshd(bench, 'true', { verbose: true })),
    await negotiate('sshd (sftp port)', viaSshdPlain(bench, 'true', { verbose: true })),
  ]
}

async function negotiate(path: string, command: Command): Promise<Negotiated> {
  const result = await run(command, { timeoutMs: 20_000, stderrChars: 200_000 })
  const find = (pattern: RegExp) => pattern.exec(result.stderr)?.[1]
  const found: Negotiated = {
    path,
    kex: find(/kex: algorithm: (\S+)/),
    cipher: find(/kex: server->client cipher: (\S+)/),
    hostKey: find(/kex: host key algorithm: (\S+)/),
  }
  if (result.code !== 0) found.error = `exit ${result.code ?? result.signal}`
  return found
}

/** The algorithms ssh2's client (the concurrency case) negotiated, from its handshake event. */
export function fromHandshake(path: string, handshake: unknown): Negotiated | undefined {
  const h = handshake as { kex?: string, serverHostKey?: string, sc?: { cipher?: string } }
  if (!h) return undefined
  return { path, kex: h.kex, cipher: h.sc?.cipher, hostKey: h.serverHostKey }
}
