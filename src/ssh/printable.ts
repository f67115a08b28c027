/**
 * Makes client-supplied text safe for a log line: no control characters, no megabytes.
 * Login names, env names and the like come from unauthenticated peers.
 */
export function printable(text: string, max = 64): string {
  const cleaned = text.replace(/[^\x20-\x7e]/g, '?')
  return cleaned.length > max ? `${cleaned.slice(0, max)}...` : cleaned
}
