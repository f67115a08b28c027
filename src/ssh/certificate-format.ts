import { encodeString, readStrings, WireError, WireReader } from './wire'

/**
 * An OpenSSH certificate, as laid out in OpenSSH's PROTOCOL.certkeys
 * (https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.certkeys).
 */
export interface Certificate {
  /** The certificate type on the wire, e.g. ssh-ed25519-cert-v01@openssh.com. */
  type: string
  /** The certified key as a plain public key blob (type ssh-ed25519, ssh-rsa, ...). */
  publicKey: Buffer
  serial: bigint
  kind: 'user' | 'host' | 'unknown'
  keyId: string
  principals: string[]
  /** Seconds since the epoch; 0 means from the beginning of time. */
  validAfter: bigint
  /** Seconds since the epoch; FOREVER means no end. */
  validBefore: bigint
  /** Name to raw data: empty for a flag, else a string holding the value (see optionValue). */
  criticalOptions: Map<string, Buffer>
  extensions: Map<string, Buffer>
  /** The CA's public key blob. */
  signatureKey: Buffer
  /** The CA's signature blob. */
  signature: Buffer
  /** Every byte the CA signed: from the type up to and including the signature key. */
  signed: Buffer
}

/** valid_before of a certificate that never expires. */
export const FOREVER = 0xffff_ffff_ffff_ffffn

/**
 * Certificate types, with the plain key type they certify and how many wire fields that key
 * has between the nonce and the serial. mpint and string are framed alike, so a count is enough.
 */
const CERTIFICATE_TYPES: Record<string, { plainType: string; keyFields: number }> = {
  'ssh-ed25519-cert-v01@openssh.com': { plainType: 'ssh-ed25519', keyFields: 1 },
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': { plainType: 'ecdsa-sha2-nistp256', keyFields: 2 },
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': { plainType: 'ecdsa-sha2-nistp384', keyFields: 2 },
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': { plainType: 'ecdsa-sha2-nistp521', keyFields: 2 },
  'ssh-rsa-cert-v01@openssh.com': { plainType: 'ssh-rsa', keyFields: 2 },
}

const KINDS: Record<number, Certificate['kind']> = { 1: 'user', 2: 'host' }

/** Parses a certificate blob; an Error says what is wrong with it. */
export function parseCertificate(blob: Buffer): Certificate | Error {
  try {
    return readCertificate(new WireReader(blob), blob)
  } catch (err) {
    if (err instanceof WireError) return new Error(`malformed certificate: ${err.message}`)
    throw err
  }
}

function readCertificate(reader: WireReader, blob: Buffer): Certificate | Error {
  const type = reader.text()
  const layout = CERTIFICATE_TYPES[type]
  if (!layout) return new Error(`certificate type "${type}" is not supported`)

  reader.bytes() // nonce: only makes the signed data unpredictable
  const keyStart = reader.position
  for (let field = 0; field < layout.keyFields; field += 1) reader.bytes()
  const keyFields = blob.subarray(keyStart, reader.position)

  const serial = reader.uint64()
  const kind = KINDS[reader.uint32()] ?? 'unknown'
  const keyId = reader.text()
  const principals = readStrings(reader.bytes()).map((name) => name.toString('utf8'))
  const validAfter = reader.uint64()
  const validBefore = reader.uint64()
  const criticalOptions = readOptions(reader.bytes(), 'critical option')
  const extensions = readOptions(reader.bytes(), 'extension')
  reader.bytes() // reserved
  const signatureKey = reader.bytes()
  const signed = blob.subarray(0, reader.position)
  const signature = reader.bytes()
  if (!reader.done) return new Error('malformed certificate: trailing data')
  if (criticalOptions instanceof Error) return criticalOptions
  if (extensions instanceof Error) return extensions

  const publicKey = Buffer.concat([encodeString(layout.plainType), keyFields])
  return {
    type, publicKey, serial, kind, keyId, principals, validAfter, validBefore,
    criticalOptions, extensions, signatureKey, signature, signed,
  }
}

/**
 * Options and extensions are `string name, string data` pairs. Their data is kept raw: only
 * the options we honour are decoded, and an extension we do not know is no reason to refuse.
 * A name twice would leave its meaning open, so that is refused.
 */
function readOptions(packed: Buffer, label: string): Map<string, Buffer> | Error {
  const fields = readStrings(packed)
  if (fields.length % 2 !== 0) return new Error(`malformed certificate: odd ${label} list`)

  const options = new Map<string, Buffer>()
  for (let index = 0; index < fields.length; index += 2) {
    const name = fields[index].toString('utf8')
    if (options.has(name)) return new Error(`certificate repeats ${label} "${name}"`)
    options.set(name, fields[index + 1])
  }
  return options
}

/** An option's value: its data must hold exactly one string. */
export function optionValue(data: Buffer): string | Error {
  try {
    const values = readStrings(data)
    if (values.length === 1) return values[0].toString('utf8')
  } catch (err) {
    if (!(err instanceof WireError)) throw err
  }
  return new Error('option data is not a single string')
}
