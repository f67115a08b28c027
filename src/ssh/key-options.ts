import { matchesContainerPattern, matchesGlob } from '../util/glob'
import { matchesAddressList } from './patterns'
import type { LoginTarget } from './types'

/** What one authorized key (or certificate) may do. */
export interface KeyRestrictions {
  /** Client address patterns (OpenSSH from=); absent means any address. */
  from?: string[]
  /** Runs instead of whatever the client asks for (OpenSSH command=). */
  command?: string
  permitPty: boolean
  /** Container patterns, `NAME` or `NAME.PROJECT`, globs allowed; absent means any. */
  containers?: string[]
  /** User patterns inside the container; absent means any. */
  users?: string[]
}

export const UNRESTRICTED: KeyRestrictions = { permitPty: true }

/** OpenSSH options that only forbid what execgate never offers; accepted and ignored. */
const FORWARDING_FLAGS = new Set([
  'no-port-forwarding',
  'no-agent-forwarding',
  'no-x11-forwarding',
  'no-user-rc',
  'no-touch-required',
])

/**
 * Reads the options of an authorized_keys line. An option execgate does not know is an error,
 * so a key is never given more than its line says (the caller skips the line).
 */
export function parseKeyOptions(options: Map<string, string | true>): KeyRestrictions | Error {
  const result: KeyRestrictions = { permitPty: true }
  for (const [name, value] of options) {
    const error = applyOption(result, name, value)
    if (error) return error
  }
  return result
}

function applyOption(result: KeyRestrictions, name: string, value: string | true): Error | void {
  if (FORWARDING_FLAGS.has(name)) return
  switch (name) {
    case 'restrict':
    case 'no-pty':
      result.permitPty = false
      return
    case 'pty':
      result.permitPty = true
      return
    case 'from':
      return setList(value, name, (list) => (result.from = list))
    case 'containers':
      return setList(value, name, (list) => (result.containers = list))
    case 'users':
      return setList(value, name, (list) => (result.users = list))
    case 'command':
      if (value === true) return new Error('command needs a value')
      result.command = value
      return
    default:
      return new Error(`option "${name}" is not supported`)
  }
}

function setList(value: string | true, name: string, set: (list: string[]) => void): Error | void {
  const list = value === true ? [] : value.split(',').map((item) => item.trim()).filter(Boolean)
  // A list of nothing but commas would silently shut the key out everywhere.
  if (list.length === 0) return new Error(`${name} needs a value`)
  set(list)
}

export type Permission = { ok: true } | { ok: false; reason: string }

/** Whether the restrictions let this client reach the login's container as the login's user. */
export function permitsLogin(
  restrictions: KeyRestrictions,
  login: LoginTarget,
  clientAddress: string,
  defaultProject = 'default',
): Permission {
  const { from, containers, users } = restrictions
  if (from && !matchesAddressList(from, clientAddress)) {
    return { ok: false, reason: `address ${clientAddress} not allowed by from=` }
  }
  const project = login.project ?? defaultProject
  const inProject = (pattern: string) =>
    matchesContainerPattern(pattern, login.container, project, defaultProject)
  if (containers && !containers.some(inProject)) {
    return { ok: false, reason: `container "${login.container}" not allowed for this key` }
  }
  if (users && !users.some((pattern) => matchesGlob(pattern, login.user ?? ''))) {
    return { ok: false, reason: `user "${login.user}" not allowed for this key` }
  }
  return { ok: true }
}
