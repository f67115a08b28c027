import { expect } from 'chai'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { parseRecording } from '../../../src/config/recording'
import { validateConfig } from '../../../src/config/validate'

function messageFor(raw: unknown): string {
  try {
    parseRecording(raw)
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError)
    expect((err as GatewayError).code, 'code').to.equal(ErrorCode.CONFIG_INVALID)
    return (err as GatewayError).message
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`)
}

describe('parseRecording', () => {
  it('is off with the default cap when the section is absent', () => {
    expect(parseRecording(undefined)).to.deep.equal({
      dir: undefined,
      maxBytes: 104857600,
      execOutput: false,
    })
  })

  it('returns a valid section as given', () => {
    const section = { dir: '/var/log/execgate', maxBytes: 8192, execOutput: true }
    expect(parseRecording(section)).to.deep.equal(section)
  })

  it('is reached through validateConfig', () => {
    const config = validateConfig({ recording: { dir: '/rec' } })
    expect(config.recording.dir).to.equal('/rec')
  })

  it('rejects an unknown key with its path', () => {
    expect(messageFor({ dir: '/rec', input: true })).to.equal('recording.input: unknown key')
  })

  it('rejects a section that is not a mapping', () => {
    expect(messageFor(['/rec'])).to.equal('recording: expected a mapping')
  })

  it('rejects an empty dir', () => {
    expect(messageFor({ dir: '' })).to.equal('recording.dir: expected a non-empty string')
  })

  it('rejects a cap too small to hold a header', () => {
    expect(messageFor({ maxBytes: 100 })).to.equal(
      'recording.maxBytes: expected a whole number of bytes, 4096 or more')
    expect(messageFor({ maxBytes: 1.5e4 + 0.5 })).to.match(/^recording\.maxBytes:/)
  })

  it('rejects an execOutput that is not a boolean', () => {
    expect(messageFor({ execOutput: 'yes' })).to.equal(
      'recording.execOutput: expected true or false')
  })
})
