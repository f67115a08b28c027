/** How long sessions may idle or run, and how a silent client is probed. */
export interface TimeoutsConfig {
  /** End a session that moved no byte either way for this long; 0 is off. @default 0 */
  idleMs: number
  /** End a session that has run this long, busy or not; 0 is off. @default 0 */
  maxSessionMs: number
  /**
   * After this long with nothing received from a client, send it a keepalive@openssh.com
   * request (sshd's ClientAliveInterval); 0 is off. @default 15000
   */
  keepaliveIntervalMs: number
  /** Unanswered probes before the connection is dropped (ClientAliveCountMax). @default 3 */
  keepaliveCountMax: number
}

/**
 * The keepalive is on by default because a client that vanished without closing its TCP
 * connection would otherwise leave its commands running in the container. 15 s and 3 probes
 * are what ssh2 applied before the gateway set them, so the default changes no timing.
 */
export const DEFAULT_TIMEOUTS: TimeoutsConfig = {
  idleMs: 0,
  maxSessionMs: 0,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
}

/** The keys of the `timeouts` section, for the unknown-key check. */
export const TIMEOUTS_KEYS = Object.keys(DEFAULT_TIMEOUTS)

/**
 * The config's own number rules, handed in by validate.ts so that a duration means the same
 * in every section (and this file need not import validate.ts, which imports it).
 */
export interface FieldChecks {
  /** A whole number of milliseconds a Node timer can honour, 0 or more. */
  duration(value: unknown, path: string): number
  /** A whole number from 1 up. */
  count(value: unknown, path: string): number
}

/** Validates the `timeouts` mapping (its keys already checked); left-out fields get defaults. */
export function parseTimeouts(raw: Record<string, unknown>, check: FieldChecks): TimeoutsConfig {
  const defaults = DEFAULT_TIMEOUTS
  return {
    idleMs: check.duration(raw.idleMs ?? defaults.idleMs, 'timeouts.idleMs'),
    maxSessionMs: check.duration(
      raw.maxSessionMs ?? defaults.maxSessionMs,
      'timeouts.maxSessionMs',
    ),
    keepaliveIntervalMs: check.duration(
      raw.keepaliveIntervalMs ?? defaults.keepaliveIntervalMs,
      'timeouts.keepaliveIntervalMs',
    ),
    keepaliveCountMax: check.count(
      raw.keepaliveCountMax ?? defaults.keepaliveCountMax,
      'timeouts.keepaliveCountMax',
    ),
  }
}
