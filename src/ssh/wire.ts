/** The SSH wire encoding of RFC 4251 §5: just what certificates and signatures need. */

/** Thrown when data ends before a field does; the caller turns it into a refusal. */
export class WireError extends Error {}

/** Reads fields in order from one buffer, never past its end. */
export class WireReader {
  private offset = 0

  constructor(private readonly buffer: Buffer) {}

  /** Bytes read so far. */
  get position(): number {
    return this.offset
  }

  get done(): boolean {
    return this.offset === this.buffer.length
  }

  uint32(): number {
    this.need(4, 'uint32')
    const value = this.buffer.readUInt32BE(this.offset)
    this.offset += 4
    return value
  }

  uint64(): bigint {
    this.need(8, 'uint64')
    const value = this.buffer.readBigUInt64BE(this.offset)
    this.offset += 8
    return value
  }

  /** A `string` (or `mpint`: same framing) as raw bytes. */
  bytes(): Buffer {
    const length = this.uint32()
    this.need(length, 'string')
    const value = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return value
  }

  text(): string {
    return this.bytes().toString('utf8')
  }

  private need(length: number, field: string): void {
    if (this.offset + length > this.buffer.length) {
      throw new WireError(`data ends inside a ${field} at byte ${this.offset}`)
    }
  }
}

/** Encodes a `string`: its length as uint32, then the bytes. */
export function encodeString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/** Reads a buffer that must hold nothing but `string`s, one after the other. */
export function readStrings(buffer: Buffer): Buffer[] {
  const reader = new WireReader(buffer)
  const values: Buffer[] = []
  while (!reader.done) values.push(reader.bytes())
  return values
}
