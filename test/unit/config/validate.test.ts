import { expect } from 'chai'

import { ErrorCode, GatewayError } from '../../../src/errors'
import { DEFAULT_CONFIG } from '../../../src/config/schema'
import { parseListen, validateConfig } from '../../../src/config/validate'
import { DEFAULTS } from '../helpers/config-defaults'

const FINGERPRINT = 'ab'.repeat(32)


/** The error validateConfig throws for RAW; fails the test when it throws none. */
function configError(raw: unknown): GatewayError {
  try {
    validateConfig(raw)
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError)
    return err as GatewayError
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`)
}

/** The CONFIG_INVALID message parseListen throws for VALUE. */
function listenMessage(value: unknown, path = 'listen'): string {
  try {
    parseListen(value, path)
  } catch (err) {
    expect(err).to.be.instanceOf(GatewayError)
    expect((err as GatewayError).code, 'code').to.equal(ErrorCode.CONFIG_INVALID)
    return (err as GatewayError).message
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`)
}

function messageFor(raw: unknown): string {
  const error = configError(raw)
  expect(error.code, 'code').to.equal(ErrorCode.CONFIG_INVALID)
  return error.message
}

/** Sections whose valid input comes back from validateConfig exactly as given. */
const SAME_WHEN_VALID = {
  routes: [{ containers: ['ci-*', '*.staging'], backend: 'incus' }],
  login: { defaultUser: 'deploy', defaultProject: 'team' },
  auth: {
    maxTries: 3,
    graceMs: 30000,
    maxUnauthenticated: 10,
    containerKeys: true,
    trustedUserCAKeys: '/etc/execgate/ca.pub',
  },
  ssh: { acceptEnv: ['LANG', 'TZ'], maxSessions: 4 },
  session: { drainMs: 0, sendExitSignal: true, autoStart: true, autoStartTimeoutMs: 5000 },
  sftp: { server: 'container' },
  shutdown: { graceMs: 0 },
  recording: { dir: '/var/log/execgate', maxBytes: 8192, execOutput: true },
  timeouts: { idleMs: 60000, maxSessionMs: 0, keepaliveIntervalMs: 0, keepaliveCountMax: 5 },
  metrics: { probeIntervalMs: 500 },
}

describe('validateConfig', () => {
  describe('defaults', () => {
    it('fills every field from the defaults for an empty mapping', () => {
      expect(validateConfig({})).to.deep.equal(DEFAULTS)
    })

    it('treats undefined and null (an empty YAML file) as an empty mapping', () => {
      expect(validateConfig(undefined), 'undefined').to.deep.equal(DEFAULTS)
      expect(validateConfig(null), 'null').to.deep.equal(DEFAULTS)
    })

    it('treats null sections and values (empty YAML keys) as left out', () => {
      const raw = {
        listen: undefined, hostKeys: null, authorizedKeys: null, logLevel: null,
        backend: null, ssh: null, session: null, shutdown: null,
      }
      expect(validateConfig(raw)).to.deep.equal(DEFAULTS)
    })

    it('treats null fields inside sections as left out', () => {
      const raw = {
        backend: { url: null },
        ssh: { acceptEnv: null },
        session: { drainMs: null, sendExitSignal: null },
        shutdown: { graceMs: null },
      }
      expect(validateConfig(raw)).to.deep.equal(DEFAULTS)
    })

    it('has the documented DEFAULT_CONFIG', () => {
      expect(DEFAULT_CONFIG).to.deep.equal({
        ...DEFAULTS,
        backend: {},
        login: { defaultUser: 'root' },
        auth: { maxTries: 6, graceMs: 120000, maxUnauthenticated: 100, containerKeys: false },
        recording: { maxBytes: 104857600, execOutput: false },
      })
    })

    it('returns a config whose changes do not reach the defaults', () => {
      const first = validateConfig({})
      first.ssh.acceptEnv.push('TZ')
      first.listen.port = 1
      const second = structuredClone(validateConfig({}))
      // Undone before asserting, so that a shared object does not spoil the tests that follow.
      first.ssh.acceptEnv.pop()
      first.listen.port = 2222
      expect(second).to.deep.equal(DEFAULTS)
    })
  })

  describe('values', () => {
    it('takes every field from the input', () => {
      const raw = {
        listen: '127.0.0.1:2022',
        hostKeys: '/etc/execgate/keys',
        authorizedKeys: '/etc/execgate/authorized_keys',
        logLevel: 'debug',
        backend: {
          url: 'https://lxd.example:8443',
          tls: { clientCert: '/c.crt', clientKey: '/c.key', serverFingerprint: FINGERPRINT },
        },
        backends: {
          incus: { url: '/var/lib/incus/unix.socket' },
        },
        ...SAME_WHEN_VALID,
      }
      expect(validateConfig(raw)).to.deep.equal({
        listen: { host: '127.0.0.1', port: 2022 },
        hostKeysDir: '/etc/execgate/keys',
        authorizedKeysFile: '/etc/execgate/authorized_keys',
        logLevel: 'debug',
        backend: {
          url: 'https://lxd.example:8443',
          tls: { clientCert: '/c.crt', clientKey: '/c.key', serverFingerprint: FINGERPRINT },
        },
        backends: {
          incus: { url: '/var/lib/incus/unix.socket', tls: undefined },
        },
        ...SAME_WHEN_VALID,
      })
    })

    it('accepts every pino level', () => {
      for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
        expect(validateConfig({ logLevel: level }).logLevel, level).to.equal(level)
      }
    })

    it('accepts an empty acceptEnv list', () => {
      expect(validateConfig({ ssh: { acceptEnv: [] } }).ssh.acceptEnv).to.deep.equal([])
    })

    it('normalizes a colon-separated upper-case fingerprint to lower-case hex', () => {
      const colons = FINGERPRINT.toUpperCase().match(/../g)?.join(':')
      const tls = validateConfig({
        backend: { tls: { clientCert: 'c', clientKey: 'k', serverFingerprint: colons } },
      }).backend.tls
      expect(tls).to.deep.equal({ clientCert: 'c', clientKey: 'k', serverFingerprint: FINGERPRINT })
    })

    it('leaves the fingerprint out when none is given', () => {
      const tls = validateConfig({ backend: { tls: { clientCert: 'c', clientKey: 'k' } } })
        .backend.tls
      expect(tls).to.deep.equal({ clientCert: 'c', clientKey: 'k', serverFingerprint: undefined })
    })

    it('accepts the longest timer Node can honour', () => {
      const max = 2 ** 31 - 1
      const config = validateConfig({ session: { drainMs: max }, shutdown: { graceMs: max } })
      expect(config.session.drainMs, 'drainMs').to.equal(max)
      expect(config.shutdown.graceMs, 'graceMs').to.equal(max)
    })
  })

  describe('errors', () => {
    it('carries CONFIG_INVALID and a message for the SSH user without internals', () => {
      const error = configError({ logLevel: 'loud' })
      expect(error.code).to.equal('CONFIG_INVALID')
      expect(error.userMessage).to.equal('gateway configuration is invalid')
    })

    it('refuses a top level that is not a mapping', () => {
      expect(messageFor('listen: 22'), 'string').to.equal('(top level): expected a mapping')
      expect(messageFor(['listen']), 'list').to.equal('(top level): expected a mapping')
      expect(messageFor(0), 'zero').to.equal('(top level): expected a mapping')
      expect(messageFor(false), 'false').to.equal('(top level): expected a mapping')
    })

    it('refuses unknown top-level keys by name', () => {
      expect(messageFor({ hostKeysDir: 'keys' })).to.equal('hostKeysDir: unknown key')
      expect(messageFor({ listen: 22, lisen: 23 })).to.equal('lisen: unknown key')
    })

    it('refuses unknown keys in each section with their path', () => {
      expect(messageFor({ backend: { socket: '/x' } }), 'backend').to.equal(
        'backend.socket: unknown key',
      )
      expect(messageFor({ ssh: { acceptenv: [] } }), 'ssh').to.equal('ssh.acceptenv: unknown key')
      expect(messageFor({ session: { drain: 1 } }), 'session').to.equal(
        'session.drain: unknown key',
      )
      expect(messageFor({ shutdown: { grace: 1 } }), 'shutdown').to.equal(
        'shutdown.grace: unknown key',
      )
      expect(messageFor({ backend: { tls: { clientCert: 'c', clientKey: 'k', ca: 'x' } } }), 'tls')
        .to.equal('backend.tls.ca: unknown key')
    })

    it('refuses a __proto__ key instead of reading through it', () => {
      const raw = JSON.parse('{"__proto__": {"logLevel": "debug"}}') as unknown
      expect(messageFor(raw)).to.equal('__proto__: unknown key')
    })

    it('refuses sections that are not mappings', () => {
      expect(messageFor({ backend: '/var/lib/lxd/unix.socket' }), 'backend').to.equal(
        'backend: expected a mapping',
      )
      expect(messageFor({ ssh: ['LANG'] }), 'ssh').to.equal('ssh: expected a mapping')
      expect(messageFor({ session: 5 }), 'session').to.equal('session: expected a mapping')
      expect(messageFor({ shutdown: 'soon' }), 'shutdown').to.equal('shutdown: expected a mapping')
      expect(messageFor({ backend: { tls: 'yes' } }), 'tls').to.equal(
        'backend.tls: expected a mapping',
      )
    })

    it('refuses file and folder settings that are not non-empty strings', () => {
      expect(messageFor({ hostKeys: '' }), 'hostKeys empty').to.equal(
        'hostKeys: expected a non-empty string',
      )
      expect(messageFor({ hostKeys: 5 }), 'hostKeys number').to.equal(
        'hostKeys: expected a non-empty string',
      )
      expect(messageFor({ authorizedKeys: ['a'] }), 'authorizedKeys').to.equal(
        'authorizedKeys: expected a non-empty string',
      )
      expect(messageFor({ backend: { url: '' } }), 'backend.url').to.equal(
        'backend.url: expected a non-empty string',
      )
      expect(messageFor({ backend: { url: 8443 } }), 'backend.url number').to.equal(
        'backend.url: expected a non-empty string',
      )
    })

    it('refuses an unknown log level, listing the known ones', () => {
      const expected = 'logLevel: expected one of fatal, error, warn, info, debug, trace, silent'
      expect(messageFor({ logLevel: 'verbose' }), 'verbose').to.equal(expected)
      expect(messageFor({ logLevel: 'INFO' }), 'INFO').to.equal(expected)
      expect(messageFor({ logLevel: 30 }), '30').to.equal(expected)
    })

    it('refuses acceptEnv that is not a list of non-empty strings', () => {
      expect(messageFor({ ssh: { acceptEnv: 'LANG' } }), 'string').to.equal(
        'ssh.acceptEnv: expected a list of strings',
      )
      expect(messageFor({ ssh: { acceptEnv: ['LANG', 5] } }), 'number item').to.equal(
        'ssh.acceptEnv[1]: expected a string',
      )
      expect(messageFor({ ssh: { acceptEnv: [''] } }), 'empty item').to.equal(
        'ssh.acceptEnv[0]: expected a string',
      )
    })

    it('refuses a drainMs that is not a whole number of milliseconds, 0 or more', () => {
      for (const drainMs of [-1, 1.5, '1000', true, NaN, Infinity, [1000]]) {
        expect(messageFor({ session: { drainMs } }), String(drainMs)).to.equal(
          'session.drainMs: expected a whole number of milliseconds, 0 or more',
        )
      }
    })

    it('refuses a graceMs that is not a whole number of milliseconds, 0 or more', () => {
      for (const graceMs of [-1, 0.5, '10s', false]) {
        expect(messageFor({ shutdown: { graceMs } }), String(graceMs)).to.equal(
          'shutdown.graceMs: expected a whole number of milliseconds, 0 or more',
        )
      }
    })

    it('refuses timer values Node\'s setTimeout would cut to 1 ms', () => {
      const drain = configError({ session: { drainMs: 2 ** 31 } })
      expect(drain.code, 'drainMs code').to.equal(ErrorCode.CONFIG_INVALID)
      expect(drain.message, 'drainMs').to.match(/^session\.drainMs: /)
      const grace = configError({ shutdown: { graceMs: 10 ** 12 } })
      expect(grace.code, 'graceMs code').to.equal(ErrorCode.CONFIG_INVALID)
      expect(grace.message, 'graceMs').to.match(/^shutdown\.graceMs: /)
    })

    it('refuses a sendExitSignal that is not a boolean', () => {
      for (const sendExitSignal of ['yes', 'true', 1, 0]) {
        expect(messageFor({ session: { sendExitSignal } }), String(sendExitSignal)).to.equal(
          'session.sendExitSignal: expected true or false',
        )
      }
    })

    it('requires a client certificate and key for tls', () => {
      expect(messageFor({ backend: { tls: { clientKey: 'k' } } }), 'no cert').to.equal(
        'backend.tls.clientCert: required',
      )
      expect(messageFor({ backend: { tls: { clientCert: 'c' } } }), 'no key').to.equal(
        'backend.tls.clientKey: required',
      )
      expect(messageFor({ backend: { tls: {} } }), 'neither').to.equal(
        'backend.tls.clientCert: required',
      )
      expect(messageFor({ backend: { tls: { clientCert: '', clientKey: 'k' } } }), 'empty')
        .to.equal('backend.tls.clientCert: expected a non-empty string')
    })

    it('refuses a server fingerprint that is not 64 hex digits', () => {
      for (const serverFingerprint of ['3f1c...e9', 'ab'.repeat(31), 'ab'.repeat(33),
        'g'.repeat(64), `sha256:${FINGERPRINT}`]) {
        expect(messageFor({
          backend: { tls: { clientCert: 'c', clientKey: 'k', serverFingerprint } },
        }), serverFingerprint).to.equal(
          'backend.tls.serverFingerprint: expected a SHA-256 fingerprint in hex',
        )
      }
    })

    it('names the first problem in field order', () => {
      expect(messageFor({ listen: 'x', logLevel: 'y', session: { drainMs: -1 } })).to.equal(
        'listen: expected "HOST:PORT", got "x"',
      )
    })
  })
})

describe('parseListen', () => {
  it('parses HOST:PORT', () => {
    expect(parseListen('127.0.0.1:2022', 'listen')).to.deep.equal({ host: '127.0.0.1', port: 2022 })
    expect(parseListen('localhost:22', 'listen')).to.deep.equal({ host: 'localhost', port: 22 })
  })

  it('parses [IPv6]:PORT without the brackets', () => {
    expect(parseListen('[::1]:22', 'listen')).to.deep.equal({ host: '::1', port: 22 })
    expect(parseListen('[2001:db8::5]:2222', 'listen')).to.deep.equal({
      host: '2001:db8::5',
      port: 2222,
    })
  })

  it('listens on every IPv4 address for a bare port, as a string or a number', () => {
    expect(parseListen('2222', 'listen'), 'string').to.deep.equal({ host: '0.0.0.0', port: 2222 })
    expect(parseListen(2222, 'listen'), 'number').to.deep.equal({ host: '0.0.0.0', port: 2222 })
  })

  it('listens on every IPv4 address for :PORT', () => {
    expect(parseListen(':2222', 'listen')).to.deep.equal({ host: '0.0.0.0', port: 2222 })
  })

  it('accepts port 0 (pick a free port) and port 65535', () => {
    expect(parseListen('127.0.0.1:0', 'listen'), '0').to.deep.equal({ host: '127.0.0.1', port: 0 })
    expect(parseListen(65535, 'listen'), '65535').to.deep.equal({ host: '0.0.0.0', port: 65535 })
  })

  it('refuses port 65536 and above', () => {
    expect(listenMessage('127.0.0.1:65536'), '65536').to.equal('listen: port 65536 is out of range')
    expect(listenMessage(70000), '70000').to.equal('listen: port 70000 is out of range')
  })

  it('refuses text that is not HOST:PORT, quoting it', () => {
    for (const text of ['abc', '::1:22', '[::1]', '[::1]:', '127.0.0.1:', '127.0.0.1:ssh',
      '-1', '22.5', ' 22', '22 ', 'a:b:22', '']) {
      expect(listenMessage(text), text).to.equal(`listen: expected "HOST:PORT", got "${text}"`)
    }
  })

  it('refuses numbers that are not whole ports', () => {
    expect(listenMessage(-1), '-1').to.equal('listen: expected "HOST:PORT", got "-1"')
    expect(listenMessage(22.5), '22.5').to.equal('listen: expected "HOST:PORT", got "22.5"')
  })

  it('refuses values that are neither text nor numbers', () => {
    for (const value of [true, null, ['127.0.0.1', 22], { host: 'h', port: 1 }]) {
      expect(listenMessage(value), JSON.stringify(value)).to.equal('listen: expected "HOST:PORT"')
    }
  })

  it('names the path it was given', () => {
    expect(listenMessage('x', 'flags.listen')).to.equal(
      'flags.listen: expected "HOST:PORT", got "x"',
    )
  })

  it('is what validateConfig uses for listen', () => {
    expect(validateConfig({ listen: '[::1]:22' }).listen).to.deep.equal({ host: '::1', port: 22 })
    expect(validateConfig({ listen: 2200 }).listen).to.deep.equal({ host: '0.0.0.0', port: 2200 })
    expect(messageFor({ listen: '[::1]:99999' })).to.equal('listen: port 99999 is out of range')
  })
})
