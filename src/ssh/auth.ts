import type { AuthContext } from 'ssh2'

import { parseLogin } from './login'
import type { AuthorizedKey } from './authorized-keys'
import type { LoginTarget } from './types'

/** What to do with one authentication request, and what to log about it. */
export type AuthDecision =
  | { action: 'accept'; login: LoginTarget; key: AuthorizedKey }
  | { action: 'key-ok' }
  | { action: 'refuse'; reason: string; quiet: boolean }

/**
 * Public key is the only method. A key query without a signature is answered "acceptable"
 * when the key is authorized; a signed request is accepted when the signature verifies.
 */
export function decideAuthentication(ctx: AuthContext, keys: AuthorizedKey[]): AuthDecision {
  // OpenSSH opens with "none" to learn the methods; that is no failed attempt.
  if (ctx.method === 'none') return { action: 'refuse', reason: 'method none', quiet: true }
  if (ctx.method !== 'publickey') {
    return { action: 'refuse', reason: `method ${ctx.method} not offered`, quiet: false }
  }

  const login = parseLogin(ctx.username)
  if (!login.ok) return { action: 'refuse', reason: login.reason, quiet: false }

  const key = keys.find((candidate) => candidate.blob.equals(ctx.key.data))
  if (!key) return { action: 'refuse', reason: 'key not authorized', quiet: false }
  if (!ctx.signature || !ctx.blob) return { action: 'key-ok' }

  const verified = key.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)
  if (verified !== true) return { action: 'refuse', reason: 'bad signature', quiet: false }
  return { action: 'accept', login: login.target, key }
}
