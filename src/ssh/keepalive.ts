import type { Socket } from 'node:net'
import type { ServerConfig } from 'ssh2'

/**
 * The server keepalive, as sshd's ClientAliveInterval and ClientAliveCountMax. ssh2 runs it:
 * after intervalMs with no packet from an authenticated client it sends keepalive@openssh.com
 * with want-reply, and any packet from the client (OpenSSH answers REQUEST_FAILURE) resets
 * the count. Once countMax probes have gone unanswered, one interval more ends the connection.
 */
export interface KeepaliveSettings {
  /** Silence before each probe, in ms; 0 sends none. */
  intervalMs: number
  /** Unanswered probes allowed, 1 or more. */
  countMax: number
}

/** The longest timer Node honours: about 24.8 days. */
const LONGEST_TIMER_MS = 2 ** 31 - 1

/**
 * ssh2's server options for the keepalive. ssh2 has no off switch (0 or a missing value means
 * its own 15 s), so "off" is a probe every 24.8 days that is never given up on.
 */
export function keepaliveServerOptions(
  settings: KeepaliveSettings,
): Pick<ServerConfig, 'keepaliveInterval' | 'keepaliveCountMax'> {
  if (settings.intervalMs === 0) {
    return { keepaliveInterval: LONGEST_TIMER_MS, keepaliveCountMax: Number.MAX_SAFE_INTEGER }
  }
  return { keepaliveInterval: settings.intervalMs, keepaliveCountMax: settings.countMax }
}

/** Whether an error an ssh2 connection emitted is its keepalive giving up on the client. */
export function isKeepaliveTimeout(err: unknown): boolean {
  return err instanceof Error && (err as { level?: unknown }).level === 'client-timeout'
}

/** How long the DISCONNECT that ssh2 sends may take to reach the kernel. */
const DISCONNECT_GRACE_MS = 500

/**
 * Cuts the socket of a client that stopped answering. ssh2 sends DISCONNECT and half-closes,
 * but a client that is frozen or behind a dead link never closes its half, so the socket
 * would stay open and keep its sessions, and their commands, running in the containers.
 * Destroying it closes the channels, and the bridge ends their commands as for any client
 * that went away.
 */
export function cutUnresponsive(socket: Socket): void {
  setTimeout(() => socket.destroy(), DISCONNECT_GRACE_MS).unref()
}
