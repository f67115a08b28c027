import type { Options } from './types'

const MiB = 1024 * 1024

/** Sizes and durations of every case, for quick or full mode. */
export interface Plan {
  rounds: number
  roundTripPerRound: number
  downloadBytes: number
  uploadBytes: number
  ptyBytes: number
  sftpBytes: number
  ciphers: string[]
  /** ssh2 connections x sessions each, for the concurrency case. */
  connections: number
  sessionsPerConnection: number
  holdMs: number
  /** OpenSSH's reference runs one `lxc exec` client (~17 MB) per session: capped to spare RAM. */
  sshdSessionsCap: number
  /** The reference only has to reach a steady state: it is held for less time. */
  sshdHoldMs: number
  /** Pause after opening and after closing sessions before memory is read. */
  settleMs: number
  rateParallel: number
  rateMs: number
}

/** The plan for these options; quick mode fits the whole run in under 2 minutes. */
export function makePlan(options: Options): Plan {
  const ciphers = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com']
  if (options.quick) {
    // Sized for ~100 s on 2 cores: ptys run at ~15 MiB/s here, pipes at 50-120 MiB/s, and
    // the sshd reference takes ~0.1 s to open each of its sessions.
    return { rounds: options.rounds, roundTripPerRound: 4, downloadBytes: 64 * MiB,
      uploadBytes: 64 * MiB, ptyBytes: 12 * MiB, sftpBytes: 32 * MiB, ciphers,
      connections: 10, sessionsPerConnection: 10, holdMs: 4_000, sshdSessionsCap: 40,
      sshdHoldMs: 2_000, settleMs: 1_000, rateParallel: 8, rateMs: 5_000 }
  }
  return { rounds: options.rounds, roundTripPerRound: 10, downloadBytes: 1024 * MiB,
    uploadBytes: 500 * MiB, ptyBytes: 200 * MiB, sftpBytes: 300 * MiB, ciphers,
    connections: 100, sessionsPerConnection: 10, holdMs: 60_000, sshdSessionsCap: 200,
    sshdHoldMs: 10_000, settleMs: 2_000, rateParallel: 8, rateMs: 30_000 }
}

/** `200 MiB` for a byte count. */
export function sizeText(bytes: number): string {
  return bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`
}
