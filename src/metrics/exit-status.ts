import { signalName } from '../bridge/signals'

/**
 * The label an exit status is counted under. Each status that means something of its own keeps
 * it (0, 126 not executable, 127 not found, 255 the gateway's or ssh's own failure); 128+n
 * for a named Linux signal n reads `128+KILL`; every other status falls in one of two ranges.
 * That keeps the label to about forty values whatever commands return.
 */
export function exitStatusBucket(status: number): string {
  if (!Number.isInteger(status) || status < 0 || status > 255) return '255'
  if (status === 0 || status === 126 || status === 127 || status === 128) return String(status)
  if (status === 255) return '255'
  if (status < 126) return '1-125'

  const name = signalName(status - 128)
  return name ? `128+${name}` : '129-254'
}
