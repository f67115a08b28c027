import { expect } from 'chai'

import { parseArgs, USAGE } from '../../../src/cli/args'

function argsError(argv: string[]): string {
  try {
    parseArgs(argv)
  } catch (err) {
    expect(err).to.be.instanceOf(Error)
    return (err as Error).message
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`)
}

describe('parseArgs', () => {
  it('returns no overrides and no help for no arguments', () => {
    expect(parseArgs([])).to.deep.equal({ overrides: {}, help: false, checkConfig: false })
  })

  it('reads every flag in the --flag value form', () => {
    expect(parseArgs([
      '--config', '/etc/execgate.yaml',
      '--listen', '[::1]:22',
      '--host-keys', '/var/lib/execgate/keys',
      '--authorized-keys', '/etc/execgate/authorized_keys',
      '--backend', 'https://lxd.example:8443',
      '--log-level', 'debug',
    ])).to.deep.equal({
      configFile: '/etc/execgate.yaml',
      overrides: {
        listen: '[::1]:22',
        hostKeys: '/var/lib/execgate/keys',
        authorizedKeys: '/etc/execgate/authorized_keys',
        backend: 'https://lxd.example:8443',
        logLevel: 'debug',
      },
      help: false,
      checkConfig: false,
    })
  })

  it('reads every flag in the --flag=value form', () => {
    expect(parseArgs([
      '--config=c.yaml', '--listen=2222', '--host-keys=k', '--authorized-keys=ak',
      '--backend=/var/lib/lxd/unix.socket', '--log-level=warn',
    ])).to.deep.equal({
      configFile: 'c.yaml',
      overrides: {
        listen: '2222',
        hostKeys: 'k',
        authorizedKeys: 'ak',
        backend: '/var/lib/lxd/unix.socket',
        logLevel: 'warn',
      },
      help: false,
      checkConfig: false,
    })
  })

  it('splits --flag=value at the first =', () => {
    expect(parseArgs(['--backend=https://h:8443/?a=b=c']).overrides).to.deep.equal({
      backend: 'https://h:8443/?a=b=c',
    })
  })

  it('takes the next argument as the value even when it starts with a dash', () => {
    expect(parseArgs(['--host-keys', '-keys-']).overrides).to.deep.equal({ hostKeys: '-keys-' })
  })

  it('lets a later flag win over an earlier one', () => {
    expect(parseArgs(['--listen', '1', '--listen=2']).overrides).to.deep.equal({ listen: '2' })
  })

  it('sets help for --help and -h and still reads the other flags', () => {
    expect(parseArgs(['--help']), '--help')
      .to.deep.equal({ overrides: {}, help: true, checkConfig: false })
    expect(parseArgs(['--listen', '22', '-h']), '-h').to.deep.equal({
      overrides: { listen: '22' },
      help: true,
      checkConfig: false,
    })
  })

  it('sets checkConfig for --check-config, which takes no value', () => {
    expect(parseArgs(['--check-config', '--config', 'f.yaml'])).to.deep.equal({
      overrides: {},
      help: false,
      checkConfig: true,
      configFile: 'f.yaml',
    })
  })

  it('refuses a flag without a value at the end', () => {
    expect(argsError(['--listen'])).to.equal('--listen needs a value')
    expect(argsError(['--config'])).to.equal('--config needs a value')
  })

  it('refuses an empty value', () => {
    expect(argsError(['--listen='])).to.equal('--listen needs a value')
    expect(argsError(['--log-level', ''])).to.equal('--log-level needs a value')
  })

  it('refuses unknown flags, quoting them whole', () => {
    expect(argsError(['--port', '22'])).to.equal('unknown argument "--port"')
    expect(argsError(['--port=22'])).to.equal('unknown argument "--port=22"')
    expect(argsError(['--help=yes'])).to.equal('unknown argument "--help=yes"')
    expect(argsError(['-l', '22'])).to.equal('unknown argument "-l"')
  })

  it('refuses positional arguments', () => {
    expect(argsError(['serve'])).to.equal('unknown argument "serve"')
    expect(argsError([''])).to.equal('unknown argument ""')
  })

  it('refuses a value left over after a flag\'s value', () => {
    expect(argsError(['--listen', '22', '23'])).to.equal('unknown argument "23"')
  })

  it('refuses arguments named like Object.prototype members', () => {
    for (const arg of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(argsError([arg, 'value']), arg).to.equal(`unknown argument "${arg}"`)
    }
  })

  it('is case-sensitive', () => {
    expect(argsError(['--LISTEN', '22'])).to.equal('unknown argument "--LISTEN"')
  })
})

describe('USAGE', () => {
  it('names every flag parseArgs reads', () => {
    for (const flag of ['--config FILE', '--listen HOST:PORT', '--host-keys DIR',
      '--authorized-keys FILE', '--backend SOCKET_PATH|https://HOST:PORT', '--log-level LEVEL']) {
      expect(USAGE, flag).to.include(`[${flag}]`)
    }
    expect(USAGE.startsWith('usage: execgate '), 'prefix').to.equal(true)
  })
})
