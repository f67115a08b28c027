/** sshd refuses more than this many env requests per session. */
export const MAX_ENV_VARIABLES = 128
const MAX_ENV_BYTES = 64 * 1024

/** sshd's AcceptEnv: a name passes when it matches one of the patterns, `*` and `?` globbing. */
export function acceptsEnv(patterns: string[], name: string, value: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return false
  if (name.length + value.length > MAX_ENV_BYTES || value.includes('\0')) return false
  return patterns.some((pattern) => globToRegExp(pattern).test(name))
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[^\w]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`)
}
