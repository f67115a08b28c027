import { readFileSync } from 'node:fs'
import { utils } from 'ssh2'
import type { ParsedKey } from 'ssh2'

import { ErrorCode, GatewayError } from '../errors'
import { fingerprintOf } from './host-keys'
import { parseKeyOptions } from './key-options'
import type { KeyRestrictions } from './key-options'

export interface AuthorizedKey {
  key: ParsedKey
  /** The key's wire blob, compared byte for byte with what the client offers. */
  blob: Buffer
  fingerprint: string
  /** OpenSSH options that preceded the key, name to value (true for a bare flag). */
  options: Map<string, string | true>
  /** What the options allow; a line with an option execgate does not know is skipped. */
  restrictions: KeyRestrictions
  line: number
}

export interface AuthorizedKeysFile {
  keys: AuthorizedKey[]
  /** Lines that were not used, with why; the caller logs them. */
  skipped: { line: number; reason: string }[]
}

const KEY_TYPE = /^(ssh-|ecdsa-|sk-)/

export function readAuthorizedKeys(path: string): AuthorizedKeysFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new GatewayError(
      ErrorCode.AUTHORIZED_KEYS_UNREADABLE,
      `cannot read authorized keys "${path}": ${(err as Error).message}`,
      { cause: err },
    )
  }
  return parseAuthorizedKeys(text)
}

/** Parses OpenSSH authorized_keys text: `[options] type base64 [comment]` per line. */
export function parseAuthorizedKeys(text: string): AuthorizedKeysFile {
  const result: AuthorizedKeysFile = { keys: [], skipped: [] }
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return

    const parsed = parseLine(line, index + 1)
    if ('reason' in parsed) result.skipped.push(parsed)
    else result.keys.push(parsed)
  })
  return result
}

function parseLine(line: string, number: number): AuthorizedKey | { line: number; reason: string } {
  const { options, rest } = splitOptions(line)
  if (options === undefined) return { line: number, reason: 'unbalanced quotes in options' }

  const [type, data] = rest.split(/\s+/)
  if (!type || !data || !KEY_TYPE.test(type)) return { line: number, reason: 'no key found' }

  const parsed = utils.parseKey(`${type} ${data}`)
  if (parsed instanceof Error) return { line: number, reason: parsed.message }
  const restrictions = parseKeyOptions(options)
  if (restrictions instanceof Error) return { line: number, reason: restrictions.message }

  const key = Array.isArray(parsed) ? parsed[0] : parsed
  const blob = key.getPublicSSH()
  return { key, blob, fingerprint: fingerprintOf(blob), options, restrictions, line: number }
}

/**
 * Splits the leading options (comma-separated, values in double quotes may hold commas and
 * spaces) from the key. A line that starts with a key type has no options.
 */
function splitOptions(line: string): { options?: Map<string, string | true>; rest: string } {
  const options = new Map<string, string | true>()
  if (KEY_TYPE.test(line)) return { options, rest: line }

  let index = 0
  while (index < line.length) {
    const match = /^([A-Za-z0-9@._-]+)(?:="((?:[^"\\]|\\.)*)")?/.exec(line.slice(index))
    if (!match) return { rest: line }
    if (line[index + match[0].length] === '=') return { rest: line }

    options.set(match[1].toLowerCase(), match[2] === undefined ? true : match[2].replace(/\\"/g, '"'))
    index += match[0].length
    if (line[index] === ',') index += 1
    else break
  }
  return { options, rest: line.slice(index).trim() }
}
