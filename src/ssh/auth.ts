import type { AuthContext } from 'ssh2'

import { permitsLogin } from './key-options'
import type { AuthorizedKey } from './authorized-keys'
import type { KeyRestrictions } from './key-options'
import type { LoginTarget } from './types'

/** What an accepted key may do, and what the log says about it. */
export interface Grant {
  restrictions: KeyRestrictions
  keyType: string
  keyFingerprint: string
  /** Where the key came from: the gateway's file, the container's, or a CA. */
  source: 'authorized_keys' | 'container' | 'certificate'
  /** A certificate's key id, for the log. */
  certificateId?: string
}

/** What to do with one authentication request, and what to log about it. */
export type AuthDecision =
  | { action: 'accept'; grant: Grant }
  | { action: 'key-ok' }
  | { action: 'refuse'; reason: string }

export interface KeyCandidates {
  keys: AuthorizedKey[]
  source: Grant['source']
}

/**
 * Decides a plain public key request. A query without a signature is answered "acceptable"
 * only when the key may reach this login from this address, so a client learns nothing about
 * a login its key cannot use; a signed request is accepted when the signature verifies.
 */
export function decideKeyAuthentication(
  ctx: AuthContext & { method: 'publickey' },
  login: LoginTarget,
  candidates: KeyCandidates[],
  clientAddress: string,
  defaultProject?: string,
): AuthDecision {
  const matches = findKeys(candidates, ctx.key.data)
  if (matches.length === 0) return { action: 'refuse', reason: 'key not authorized' }

  // The same key may stand in several files with different options; the first that lets this
  // login through decides.
  const permissions = matches.map(({ key }) =>
    permitsLogin(key.restrictions, login, clientAddress, defaultProject))
  const index = permissions.findIndex((permission) => permission.ok)
  if (index === -1) {
    const first = permissions[0]
    return { action: 'refuse', reason: first.ok ? 'key not authorized' : first.reason }
  }

  const { key, source } = matches[index]
  if (!ctx.signature || !ctx.blob) return { action: 'key-ok' }

  if (key.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
    return { action: 'refuse', reason: 'bad signature' }
  }
  return {
    action: 'accept',
    grant: {
      restrictions: key.restrictions,
      keyType: key.key.type,
      keyFingerprint: key.fingerprint,
      source,
    },
  }
}

function findKeys(candidates: KeyCandidates[], blob: Buffer) {
  return candidates.flatMap(({ keys, source }) =>
    keys.filter((key) => key.blob.equals(blob)).map((key) => ({ key, source })))
}
