import type { LoginTarget } from './types'
import { printable } from './printable'

/** Container names are host names (letters, digits, hyphens), so a dot can start a project. */
const CONTAINER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/
/** POSIX portable user names, plus the upper case some images use. */
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/

export type LoginParse = { ok: true; target: LoginTarget } | { ok: false; reason: string }

/** Parses `[USER@]CONTAINER[.PROJECT]`; clients split `alice@web1@gateway` at the last `@`. */
export function parseLogin(raw: string): LoginParse {
  if (raw.length > 256) return { ok: false, reason: 'login name longer than 256 characters' }

  const at = raw.lastIndexOf('@')
  const user = at === -1 ? undefined : raw.slice(0, at)
  const place = raw.slice(at + 1)
  const dot = place.indexOf('.')
  const container = dot === -1 ? place : place.slice(0, dot)
  const project = dot === -1 ? undefined : place.slice(dot + 1)

  if (user !== undefined && !USER.test(user)) {
    return { ok: false, reason: `"${printable(user)}" is not a valid user name` }
  }
  if (!CONTAINER.test(container)) {
    return { ok: false, reason: `"${printable(container)}" is not a valid container name` }
  }
  if (project !== undefined && !PROJECT.test(project)) {
    return { ok: false, reason: `"${printable(project)}" is not a valid project name` }
  }
  return { ok: true, target: { raw, user, container, project } }
}
