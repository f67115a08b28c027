import { expect } from 'chai'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

import { loadConfig } from '../../../src/config/load'
import { ErrorCode, GatewayError } from '../../../src/errors'
import { DEFAULTS } from '../helpers/config-defaults'
import { makeTempDir, removeDir } from '../helpers/keygen'

const FINGERPRINT = 'cd'.repeat(32)

const FULL_FILE = `
listen: 127.0.0.1:2022
hostKeys: /srv/keys
authorizedKeys: /srv/authorized_keys
logLevel: warn
backend:
  url: https://lxd.example:8443
  tls:
    clientCert: /srv/client.crt
    clientKey: /srv/client.key
    serverFingerprint: ${FINGERPRINT}
ssh:
  acceptEnv: [LANG, 'LC_*', TZ]
session:
  drainMs: 250
  sendExitSignal: true
shutdown:
  graceMs: 5000
`

/** The yaml library's own message for TEXT, which loadConfig passes on after the file name. */
/** The first line of the parser's message, which names line and column: what loadConfig keeps. */
function yamlMessage(text: string): string {
  try {
    parse(text)
  } catch (err) {
    return (err as Error).message.split('\n')[0].replace(/:$/, '')
  }
  throw new Error('expected the YAML to be refused')
}

describe('loadConfig', () => {
  let dir: string
  let count = 0

  function configFile(text: string): string {
    count += 1
    const file = join(dir, `execgate-${count}.yaml`)
    writeFileSync(file, text)
    return file
  }

  function loadError(file: string | undefined, overrides = {}): GatewayError {
    try {
      loadConfig(file, overrides)
    } catch (err) {
      expect(err).to.be.instanceOf(GatewayError)
      expect((err as GatewayError).code, 'code').to.equal(ErrorCode.CONFIG_INVALID)
      return err as GatewayError
    }
    throw new Error('expected loadConfig to throw')
  }

  before(() => {
    dir = makeTempDir('load')
  })

  after(() => removeDir(dir))

  describe('without a file', () => {
    it('returns the defaults', () => {
      expect(loadConfig(undefined, {})).to.deep.equal(DEFAULTS)
    })

    it('applies the flags', () => {
      const config = loadConfig(undefined, {
        listen: '[::1]:22',
        hostKeys: '/k',
        authorizedKeys: '/ak',
        backend: '/var/lib/incus/unix.socket',
        logLevel: 'trace',
      })
      expect(config).to.deep.equal({
        ...DEFAULTS,
        listen: { host: '::1', port: 22 },
        hostKeysDir: '/k',
        authorizedKeysFile: '/ak',
        logLevel: 'trace',
        backend: { url: '/var/lib/incus/unix.socket', tls: undefined },
      })
    })

    it('parses a bare port flag', () => {
      expect(loadConfig(undefined, { listen: '2200' }).listen).to.deep.equal({
        host: '0.0.0.0',
        port: 2200,
      })
    })

    it('validates the flags like file values', () => {
      expect(loadError(undefined, { listen: 'nonsense' }).message, 'listen').to.equal(
        'listen: expected "HOST:PORT", got "nonsense"',
      )
      expect(loadError(undefined, { logLevel: 'loud' }).message, 'logLevel').to.equal(
        'logLevel: expected one of fatal, error, warn, info, debug, trace, silent',
      )
      expect(loadError(undefined, { hostKeys: '' }).message, 'hostKeys').to.equal(
        'hostKeys: expected a non-empty string',
      )
    })
  })

  describe('with a file', () => {
    it('reads every field from the file', () => {
      expect(loadConfig(configFile(FULL_FILE), {})).to.deep.equal({
        ...DEFAULTS,
        listen: { host: '127.0.0.1', port: 2022 },
        hostKeysDir: '/srv/keys',
        authorizedKeysFile: '/srv/authorized_keys',
        logLevel: 'warn',
        backend: {
          url: 'https://lxd.example:8443',
          tls: {
            clientCert: '/srv/client.crt',
            clientKey: '/srv/client.key',
            serverFingerprint: FINGERPRINT,
          },
        },
        ssh: { acceptEnv: ['LANG', 'LC_*', 'TZ'], maxSessions: 10 },
        session: { ...DEFAULTS.session, drainMs: 250, sendExitSignal: true },
        shutdown: { graceMs: 5000 },
      })
    })

    it('lets flags override the file values and keeps the rest of the file', () => {
      const config = loadConfig(configFile(FULL_FILE), {
        listen: '[::1]:2200',
        hostKeys: '/flag/keys',
        authorizedKeys: '/flag/authorized_keys',
        backend: 'https://other.example:8443',
        logLevel: 'debug',
      })
      expect(config).to.deep.equal({
        ...DEFAULTS,
        listen: { host: '::1', port: 2200 },
        hostKeysDir: '/flag/keys',
        authorizedKeysFile: '/flag/authorized_keys',
        logLevel: 'debug',
        backend: {
          url: 'https://other.example:8443',
          tls: {
            clientCert: '/srv/client.crt',
            clientKey: '/srv/client.key',
            serverFingerprint: FINGERPRINT,
          },
        },
        ssh: { acceptEnv: ['LANG', 'LC_*', 'TZ'], maxSessions: 10 },
        session: { ...DEFAULTS.session, drainMs: 250, sendExitSignal: true },
        shutdown: { graceMs: 5000 },
      })
    })

    it('reads a bare port number', () => {
      expect(loadConfig(configFile('listen: 2201\n'), {}).listen).to.deep.equal({
        host: '0.0.0.0',
        port: 2201,
      })
    })

    it('reads an empty file as the defaults', () => {
      expect(loadConfig(configFile(''), {})).to.deep.equal(DEFAULTS)
    })

    it('reads a file of comments only as the defaults', () => {
      expect(loadConfig(configFile('# nothing here\n# at all\n'), {})).to.deep.equal(DEFAULTS)
    })

    it('reads the example configuration as exactly the defaults it claims to show', () => {
      const example = join(__dirname, '../../../../config/execgate.example.yaml')
      expect(loadConfig(example, {})).to.deep.equal(DEFAULTS)
    })

    it('reports validation problems with the field path', () => {
      const file = configFile('session:\n  drainMs: -5\n')
      expect(loadError(file).message).to.equal(
        'session.drainMs: expected a whole number of milliseconds, 0 or more',
      )
    })

    it('refuses unknown keys in the file with their path', () => {
      expect(loadError(configFile('listen: 22\nport: 23\n')).message, 'top').to.equal(
        'port: unknown key',
      )
      expect(loadError(configFile('session:\n  drain_ms: 5\n')).message, 'session').to.equal(
        'session.drain_ms: unknown key',
      )
    })

    it('refuses a __proto__ key in the file', () => {
      const file = configFile('__proto__:\n  logLevel: debug\n')
      expect(loadError(file).message).to.equal('__proto__: unknown key')
    })

    it('refuses a backend that is not a mapping even when --backend is given', () => {
      const file = configFile('backend: /var/lib/lxd/unix.socket\n')
      expect(loadError(file).message, 'without flag').to.equal('backend: expected a mapping')
      expect(loadError(file, { backend: '/run/incus/unix.socket' }).message, 'with flag')
        .to.equal('backend: expected a mapping')
    })
  })

  describe('file errors', () => {
    it('names the file for a YAML syntax error, with the parser\'s message', () => {
      const text = 'listen: [127.0.0.1\nlogLevel: info\n'
      const file = configFile(text)
      const error = loadError(file)
      expect(error.message).to.equal(`${file}: ${yamlMessage(text)}`)
      expect(error.message, 'says where').to.include('at line 2, column 1')
    })

    it('names the file for duplicate keys', () => {
      const text = 'logLevel: info\nlogLevel: debug\n'
      const file = configFile(text)
      expect(loadError(file).message).to.equal(`${file}: ${yamlMessage(text)}`)
      expect(yamlMessage(text), 'parser message').to.match(/^Map keys must be unique/)
    })

    it('names the file when the top level is a list', () => {
      const file = configFile('- listen: 22\n')
      expect(loadError(file).message).to.equal(`${file}: the top level is not a mapping`)
    })

    it('names the file when the top level is a scalar', () => {
      const file = configFile('just some words\n')
      expect(loadError(file).message).to.equal(`${file}: the top level is not a mapping`)
    })

    it('refuses an alias bomb, naming the file', () => {
      const text = [
        'a: &a [x, x, x, x, x, x, x, x, x]',
        'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
        'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
        'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
        '',
      ].join('\n')
      const file = configFile(text)
      expect(loadError(file).message).to.equal(
        `${file}: Excessive alias count indicates a resource exhaustion attack`,
      )
    })

    it('names a file that cannot be read', () => {
      const file = join(dir, 'missing.yaml')
      const error = loadError(file)
      expect(error.message).to.equal(`cannot read config file "${file}"`)
      expect((error.cause as NodeJS.ErrnoException).code, 'cause').to.equal('ENOENT')
    })

    it('names a folder given as the file', () => {
      const error = loadError(dir)
      expect(error.message).to.equal(`cannot read config file "${dir}"`)
      expect((error.cause as NodeJS.ErrnoException).code, 'cause').to.equal('EISDIR')
    })
  })
})
