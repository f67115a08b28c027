import { utils } from 'ssh2'
import type { ParsedKey } from 'ssh2'

import { ErrorCode } from '../errors'
import { fingerprintOf } from './host-keys'
import { parseKeyLines, readKeyFileText } from './key-file'
import { parseKeyOptions } from './key-options'
import type { KeyFile, SkippedLine } from './key-file'
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

export type AuthorizedKeysFile = KeyFile<AuthorizedKey>

const KEY_TYPE = /^(ssh-|ecdsa-|sk-)/

export function readAuthorizedKeys(path: string): AuthorizedKeysFile {
  const text = readKeyFileText(path, ErrorCode.AUTHORIZED_KEYS_UNREADABLE, 'authorized keys')
  return parseAuthorizedKeys(text)
}

/** Parses OpenSSH authorized_keys text: `[options] type base64 [comment]` per line. */
export function parseAuthorizedKeys(text: string): AuthorizedKeysFile {
  return parseKeyLines(text, parseLine)
}

function parseLine(line: string, number: number): AuthorizedKey | SkippedLine {
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

    const value = match[2] === undefined ? true : match[2].replace(/\\"/g, '"')
    options.set(match[1].toLowerCase(), value)
    index += match[0].length
    if (line[index] === ',') index += 1
    else break
  }
  return { options, rest: line.slice(index).trim() }
}
