import { expect } from 'chai'

import { parseKeyOptions, permitsLogin, UNRESTRICTED } from '../../../src/ssh/key-options'
import type { KeyRestrictions } from '../../../src/ssh/key-options'
import type { LoginTarget } from '../../../src/ssh/types'

/** Options as authorized-keys.ts hands them over: name to value, true for a bare flag. */
function parse(...entries: [string, string | true][]): KeyRestrictions | Error {
  return parseKeyOptions(new Map(entries))
}

function restrictions(...entries: [string, string | true][]): KeyRestrictions {
  const result = parse(...entries)
  if (result instanceof Error) throw result
  return result
}

function errorOf(...entries: [string, string | true][]): string {
  const result = parse(...entries)
  if (result instanceof Error) return result.message
  throw new Error(`expected an error, got ${JSON.stringify(result)}`)
}

function login(container: string, user?: string, project?: string): LoginTarget {
  const place = project === undefined ? container : `${container}.${project}`
  return { raw: user === undefined ? place : `${user}@${place}`, user, container, project }
}

const CLIENT = '192.0.2.10'

describe('parseKeyOptions', () => {
  it('gives a line without options a pty and no other limit', () => {
    expect(parse()).to.deep.equal({ permitPty: true })
  })

  describe('pty', () => {
    it('takes the pty away with restrict', () => {
      expect(parse(['restrict', true])).to.deep.equal({ permitPty: false })
    })

    it('takes the pty away with no-pty', () => {
      expect(parse(['no-pty', true])).to.deep.equal({ permitPty: false })
    })

    it('gives the pty back with pty after restrict', () => {
      expect(parse(['restrict', true], ['pty', true])).to.deep.equal({ permitPty: true })
    })

    it('keeps restrict in force over a pty before it, as sshd reads options in order', () => {
      expect(parse(['pty', true], ['restrict', true])).to.deep.equal({ permitPty: false })
    })
  })

  describe('lists', () => {
    it('splits from= at commas and trims each address pattern', () => {
      expect(parse(['from', '10.0.0.0/8, 192.0.2.*,!192.0.2.9'])).to.deep.equal({
        permitPty: true,
        from: ['10.0.0.0/8', '192.0.2.*', '!192.0.2.9'],
      })
    })

    it('reads containers= with and without a project', () => {
      expect(parse(['containers', 'web-*,db1.staging,*.ci'])).to.deep.equal({
        permitPty: true,
        containers: ['web-*', 'db1.staging', '*.ci'],
      })
    })

    it('reads users=', () => {
      expect(parse(['users', 'alice,deploy-*'])).to.deep.equal({
        permitPty: true,
        users: ['alice', 'deploy-*'],
      })
    })

    it('drops empty items between commas', () => {
      expect(restrictions(['users', 'alice,,bob,']).users).to.deep.equal(['alice', 'bob'])
    })

    it('refuses a list option without a value or with an empty one', () => {
      for (const name of ['from', 'containers', 'users']) {
        expect(errorOf([name, true]), `${name} flag`).to.equal(`${name} needs a value`)
        expect(errorOf([name, '']), `${name}=""`).to.equal(`${name} needs a value`)
        expect(errorOf([name, '  ']), `${name}=" "`).to.equal(`${name} needs a value`)
      }
    })

    it('refuses a list of nothing but commas, which names nothing at all', () => {
      for (const name of ['from', 'containers', 'users']) {
        expect(errorOf([name, ',']), name).to.equal(`${name} needs a value`)
        expect(errorOf([name, ' , ,']), name).to.equal(`${name} needs a value`)
      }
    })
  })

  describe('command', () => {
    it('keeps the forced command exactly, spaces and quotes included', () => {
      expect(parse(['command', 'echo "hi there" ; exit 3'])).to.deep.equal({
        permitPty: true,
        command: 'echo "hi there" ; exit 3',
      })
    })

    it('keeps an empty forced command, so the client\'s own command still does not run', () => {
      expect(restrictions(['command', '']).command).to.equal('')
    })

    it('refuses command without a value', () => {
      expect(errorOf(['command', true])).to.equal('command needs a value')
    })
  })

  it('ignores the forwarding flags, since execgate forwards nothing', () => {
    const flags = ['no-port-forwarding', 'no-agent-forwarding', 'no-x11-forwarding', 'no-user-rc',
      'no-touch-required']
    expect(parse(...flags.map((flag): [string, true] => [flag, true]))).to.deep.equal({
      permitPty: true,
    })
  })

  it('combines restrict with the other options', () => {
    expect(parse(['restrict', true], ['command', 'uptime'], ['containers', 'web1'],
      ['users', 'root'], ['from', '10.0.0.1'])).to.deep.equal({
      permitPty: false,
      command: 'uptime',
      containers: ['web1'],
      users: ['root'],
      from: ['10.0.0.1'],
    })
  })

  it('refuses an option it does not know rather than ignore a limit', () => {
    for (const name of ['environment', 'permitopen', 'principals', 'expiry-time', 'tunnel',
      'cert-authority', 'containerz']) {
      expect(errorOf([name, 'x']), name).to.equal(`option "${name}" is not supported`)
    }
  })

  it('refuses the whole line when an unknown option follows known ones', () => {
    expect(parse(['restrict', true], ['from', '10.0.0.1'], ['environment', 'A=1']))
      .to.be.an.instanceOf(Error)
  })

  it('does not share state between calls', () => {
    parse(['restrict', true], ['users', 'alice'])
    expect(parse()).to.deep.equal({ permitPty: true })
    expect(UNRESTRICTED).to.deep.equal({ permitPty: true })
  })
})

describe('permitsLogin', () => {
  it('lets an unrestricted key reach any container, project and user', () => {
    expect(permitsLogin(UNRESTRICTED, login('web1', 'root', 'staging'), CLIENT))
      .to.deep.equal({ ok: true })
  })

  describe('from', () => {
    const key = restrictions(['from', '10.0.0.0/8,!10.0.0.66'])

    it('admits a client inside the list', () => {
      expect(permitsLogin(key, login('web1'), '10.1.2.3')).to.deep.equal({ ok: true })
    })

    it('refuses a client outside the list, naming its address', () => {
      expect(permitsLogin(key, login('web1'), CLIENT)).to.deep.equal({
        ok: false,
        reason: `address ${CLIENT} not allowed by from=`,
      })
    })

    it('refuses a client the list negates', () => {
      expect(permitsLogin(key, login('web1'), '10.0.0.66').ok).to.equal(false)
    })

    it('reads an IPv4 client reported as an IPv4-mapped IPv6 address', () => {
      expect(permitsLogin(key, login('web1'), '::ffff:10.1.2.3').ok).to.equal(true)
      expect(permitsLogin(key, login('web1'), '::ffff:10.0.0.66').ok).to.equal(false)
    })
  })

  describe('containers', () => {
    it('matches a pattern without a project against the default project only', () => {
      const key = restrictions(['containers', 'web-*'])
      expect(permitsLogin(key, login('web-1'), CLIENT)).to.deep.equal({ ok: true })
      expect(permitsLogin(key, login('web-1', undefined, 'default'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(key, login('web-1', undefined, 'staging'), CLIENT)).to.deep.equal({
        ok: false,
        reason: 'container "web-1" not allowed for this key',
      })
      expect(permitsLogin(key, login('db-1'), CLIENT).ok).to.equal(false)
    })

    it('takes the default project from the configuration when given', () => {
      const key = restrictions(['containers', 'web-*'])
      expect(permitsLogin(key, login('web-1'), CLIENT, 'prod').ok).to.equal(true)
      expect(permitsLogin(key, login('web-1', undefined, 'prod'), CLIENT, 'prod').ok)
        .to.equal(true)
      expect(permitsLogin(key, login('web-1', undefined, 'default'), CLIENT, 'prod').ok)
        .to.equal(false)
    })

    it('matches NAME.PROJECT against that project only', () => {
      const key = restrictions(['containers', 'web-*.staging'])
      expect(permitsLogin(key, login('web-1', undefined, 'staging'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(key, login('web-1'), CLIENT).ok).to.equal(false)
      expect(permitsLogin(key, login('web-1', undefined, 'default'), CLIENT).ok).to.equal(false)
      expect(permitsLogin(key, login('web-1', undefined, 'staging2'), CLIENT).ok).to.equal(false)
    })

    it('allows a glob in the project', () => {
      const any = restrictions(['containers', 'web-*.*'])
      expect(permitsLogin(any, login('web-1', undefined, 'staging'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(any, login('web-1'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(any, login('db-1', undefined, 'staging'), CLIENT).ok).to.equal(false)

      const ci = restrictions(['containers', '*.ci-?'])
      expect(permitsLogin(ci, login('build', undefined, 'ci-1'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(ci, login('build', undefined, 'ci-10'), CLIENT).ok).to.equal(false)
    })

    it('admits a login any pattern of the list allows', () => {
      const key = restrictions(['containers', 'web1,db1.staging'])
      expect(permitsLogin(key, login('web1'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(key, login('db1', undefined, 'staging'), CLIENT).ok).to.equal(true)
      expect(permitsLogin(key, login('db1'), CLIENT).ok).to.equal(false)
      expect(permitsLogin(key, login('web1', undefined, 'staging'), CLIENT).ok).to.equal(false)
    })
  })

  describe('users', () => {
    const key = restrictions(['users', 'alice,deploy-*'])

    it('admits the users the list names', () => {
      expect(permitsLogin(key, login('web1', 'alice'), CLIENT)).to.deep.equal({ ok: true })
      expect(permitsLogin(key, login('web1', 'deploy-ci'), CLIENT).ok).to.equal(true)
    })

    it('refuses other users, naming the user', () => {
      expect(permitsLogin(key, login('web1', 'root'), CLIENT)).to.deep.equal({
        ok: false,
        reason: 'user "root" not allowed for this key',
      })
      expect(permitsLogin(key, login('web1', 'alicex'), CLIENT).ok).to.equal(false)
    })

    it('refuses a login that names no user, since the container would pick one', () => {
      expect(permitsLogin(key, login('web1'), CLIENT).ok).to.equal(false)
    })
  })

  it('needs every restriction to agree', () => {
    const key = restrictions(['from', '10.0.0.0/8'], ['containers', 'web1'], ['users', 'alice'])
    expect(permitsLogin(key, login('web1', 'alice'), '10.0.0.1').ok).to.equal(true)
    expect(permitsLogin(key, login('web1', 'alice'), CLIENT).ok).to.equal(false)
    expect(permitsLogin(key, login('web2', 'alice'), '10.0.0.1').ok).to.equal(false)
    expect(permitsLogin(key, login('web1', 'bob'), '10.0.0.1').ok).to.equal(false)
  })

  it('does not let restrict, no-pty or command limit where a key may log in', () => {
    const key = restrictions(['restrict', true], ['command', 'uptime'])
    expect(permitsLogin(key, login('web1', 'root', 'staging'), CLIENT)).to.deep.equal({ ok: true })
  })
})
