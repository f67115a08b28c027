import { expect } from 'chai'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { parseArgs } from '../../../src/cli/args'
import { loadConfig } from '../../../src/config/load'
import { validateConfig } from '../../../src/config/validate'
import { ErrorCode, GatewayError } from '../../../src/errors'

function refusal(raw: unknown): GatewayError {
  try {
    validateConfig(raw)
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError)
    expect((err as GatewayError).code, 'code').to.equal(ErrorCode.CONFIG_INVALID)
    return err as GatewayError
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`)
}

describe('metrics config', () => {
  it('is off when there is no listen address', () => {
    expect(validateConfig({}).metrics).to.deep.equal({ probeIntervalMs: 10000 })
    expect(validateConfig({ metrics: {} }).metrics.listen, 'empty section').to.equal(undefined)
  })

  it('parses the listen address as the SSH one is parsed', () => {
    const metrics = validateConfig({ metrics: { listen: '127.0.0.1:9464' } }).metrics
    expect(metrics.listen).to.deep.equal({ host: '127.0.0.1', port: 9464 })
    const v6 = validateConfig({ metrics: { listen: '[::1]:0' } }).metrics
    expect(v6.listen, 'IPv6, port 0').to.deep.equal({ host: '::1', port: 0 })
  })

  it('refuses a listen address that does not parse, naming the field', () => {
    expect(refusal({ metrics: { listen: 'nowhere' } }).message)
      .to.equal('metrics.listen: expected "HOST:PORT", got "nowhere"')
    expect(refusal({ metrics: { listen: '1.2.3.4:70000' } }).message)
      .to.equal('metrics.listen: port 70000 is out of range')
  })

  it('refuses an unknown key', () => {
    expect(refusal({ metrics: { path: '/m' } }).message).to.equal('metrics.path: unknown key')
  })

  it('refuses a section that is not a mapping', () => {
    expect(refusal({ metrics: '127.0.0.1:9464' }).message).to.equal('metrics: expected a mapping')
  })

  it('takes a probe interval from 100 ms to an hour', () => {
    expect(validateConfig({ metrics: { probeIntervalMs: 100 } }).metrics.probeIntervalMs)
      .to.equal(100)
    for (const value of [99, 3_600_001, 1.5, '1000', -1]) {
      expect(refusal({ metrics: { probeIntervalMs: value } }).message, String(value)).to.equal(
        'metrics.probeIntervalMs: expected a whole number of milliseconds from 100 to 3600000')
    }
  })

  it('takes --metrics-listen over the file, keeping the file\'s other metrics keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'execgate-metrics-'))
    const file = join(dir, 'execgate.yaml')
    writeFileSync(file, 'metrics:\n  listen: 0.0.0.0:1\n  probeIntervalMs: 250\n')
    const args = parseArgs(['--metrics-listen', '127.0.0.1:9100'])
    expect(args.overrides).to.deep.equal({ metricsListen: '127.0.0.1:9100' })
    const config = loadConfig(file, args.overrides)
    rmSync(dir, { recursive: true })
    expect(config.metrics).to.deep.equal({
      listen: { host: '127.0.0.1', port: 9100 },
      probeIntervalMs: 250,
    })
    expect(parseArgs(['--metrics-listen=:9100']).overrides.metricsListen, 'inline')
      .to.equal(':9100')
  })
})
