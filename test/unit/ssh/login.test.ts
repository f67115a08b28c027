import { expect } from 'chai'

import { parseLogin } from '../../../src/ssh/login'

function reasonOf(raw: string): string {
  const result = parseLogin(raw)
  if (result.ok) throw new Error(`expected "${raw}" to be refused`)
  return result.reason
}

describe('parseLogin', () => {
  describe('valid names', () => {
    it('takes a bare name as the container', () => {
      expect(parseLogin('web1')).to.deep.equal({
        ok: true,
        target: { raw: 'web1', user: undefined, container: 'web1', project: undefined },
      })
    })

    it('takes the part before @ as the user', () => {
      expect(parseLogin('alice@web1')).to.deep.equal({
        ok: true,
        target: { raw: 'alice@web1', user: 'alice', container: 'web1', project: undefined },
      })
    })

    it('takes the part after the first dot as the project', () => {
      expect(parseLogin('web1.staging')).to.deep.equal({
        ok: true,
        target: { raw: 'web1.staging', user: undefined, container: 'web1', project: 'staging' },
      })
    })

    it('parses user, container and project together', () => {
      expect(parseLogin('alice@web1.staging')).to.deep.equal({
        ok: true,
        target: { raw: 'alice@web1.staging', user: 'alice', container: 'web1', project: 'staging' },
      })
    })

    it('allows dots in the user, since only the part after @ holds the project', () => {
      expect(parseLogin('alice.b@web1.dev')).to.deep.equal({
        ok: true,
        target: { raw: 'alice.b@web1.dev', user: 'alice.b', container: 'web1', project: 'dev' },
      })
    })

    it('keeps the case of every part', () => {
      expect(parseLogin('Alice@Web-01.Dev_1')).to.deep.equal({
        ok: true,
        target: { raw: 'Alice@Web-01.Dev_1', user: 'Alice', container: 'Web-01', project: 'Dev_1' },
      })
    })

    it('accepts the user names POSIX and images use', () => {
      for (const user of ['_apt', 'a', 'www-data', 'a.b-c_d', 'machine$', 'x'.repeat(32),
        `${'x'.repeat(32)}$`]) {
        const result = parseLogin(`${user}@web1`)
        expect(result, user).to.deep.equal({
          ok: true,
          target: { raw: `${user}@web1`, user, container: 'web1', project: undefined },
        })
      }
    })

    it('accepts container names of 1 to 63 host-name characters', () => {
      for (const container of ['w', '1', '1web', 'web-1', 'a-b-c', 'a'.repeat(63)]) {
        const result = parseLogin(container)
        expect(result, container).to.deep.equal({
          ok: true,
          target: { raw: container, user: undefined, container, project: undefined },
        })
      }
    })

    it('accepts project names of up to 63 characters with underscores and hyphens', () => {
      for (const project of ['p', 'dev_1', 'dev-1', '0', 'p'.repeat(63)]) {
        const result = parseLogin(`web1.${project}`)
        expect(result, project).to.deep.equal({
          ok: true,
          target: { raw: `web1.${project}`, user: undefined, container: 'web1', project },
        })
      }
    })
  })

  describe('the user part', () => {
    it('splits the user at the last @', () => {
      expect(reasonOf('alice@bob@web1')).to.equal('"alice@bob" is not a valid user name')
    })

    it('refuses an empty user before @', () => {
      expect(reasonOf('@web1')).to.equal('"" is not a valid user name')
    })

    it('refuses a user that starts with a digit, a hyphen or a dot', () => {
      expect(reasonOf('1alice@web1'), 'digit').to.equal('"1alice" is not a valid user name')
      expect(reasonOf('-alice@web1'), 'hyphen').to.equal('"-alice" is not a valid user name')
      expect(reasonOf('.alice@web1'), 'dot').to.equal('".alice" is not a valid user name')
    })

    it('refuses a $ anywhere but at the end', () => {
      expect(reasonOf('al$ice@web1')).to.equal('"al$ice" is not a valid user name')
      expect(reasonOf('alice$$@web1')).to.equal('"alice$$" is not a valid user name')
    })

    it('refuses a user of 33 characters', () => {
      const user = 'u'.repeat(33)
      expect(reasonOf(`${user}@web1`)).to.equal(`"${user}" is not a valid user name`)
    })

    it('refuses shell and path characters in the user', () => {
      expect(reasonOf('a;rm -rf /@web1')).to.equal('"a;rm -rf /" is not a valid user name')
      expect(reasonOf('../root@web1')).to.equal('"../root" is not a valid user name')
      expect(reasonOf('a b@web1')).to.equal('"a b" is not a valid user name')
    })

    it('checks the user before the container', () => {
      expect(reasonOf('-a@-b')).to.equal('"-a" is not a valid user name')
    })
  })

  describe('the container part', () => {
    it('refuses an empty login name', () => {
      expect(reasonOf('')).to.equal('"" is not a valid container name')
    })

    it('refuses an empty container after @', () => {
      expect(reasonOf('alice@')).to.equal('"" is not a valid container name')
    })

    it('refuses an empty container before the dot', () => {
      expect(reasonOf('.dev')).to.equal('"" is not a valid container name')
    })

    it('refuses a container that starts or ends with a hyphen', () => {
      expect(reasonOf('-web')).to.equal('"-web" is not a valid container name')
      expect(reasonOf('web-')).to.equal('"web-" is not a valid container name')
    })

    it('refuses underscores and other characters host names do not have', () => {
      expect(reasonOf('web_1')).to.equal('"web_1" is not a valid container name')
      expect(reasonOf('web/1')).to.equal('"web/1" is not a valid container name')
      expect(reasonOf('web:1')).to.equal('"web:1" is not a valid container name')
      expect(reasonOf('../web')).to.equal('"" is not a valid container name')
    })

    it('refuses a container of 64 characters', () => {
      const container = 'c'.repeat(64)
      expect(reasonOf(container)).to.equal(`"${container}" is not a valid container name`)
    })

    it('refuses a trailing newline that a $ anchor could let through', () => {
      expect(reasonOf('web1\n')).to.equal('"web1?" is not a valid container name')
      expect(reasonOf('alice@web1\n')).to.equal('"web1?" is not a valid container name')
    })

    it('refuses look-alike letters from other scripts', () => {
      // The "e" is CYRILLIC SMALL LETTER IE.
      expect(reasonOf('w\u0435b1')).to.equal('"w?b1" is not a valid container name')
    })
  })

  describe('the project part', () => {
    it('refuses an empty project after the dot', () => {
      expect(reasonOf('web1.')).to.equal('"" is not a valid project name')
    })

    it('takes everything after the first dot as the project, and refuses a second dot', () => {
      expect(reasonOf('web1.dev.x')).to.equal('"dev.x" is not a valid project name')
    })

    it('refuses a project that starts with a hyphen or underscore', () => {
      expect(reasonOf('web1.-dev')).to.equal('"-dev" is not a valid project name')
      expect(reasonOf('web1._dev')).to.equal('"_dev" is not a valid project name')
    })

    it('refuses a project of 64 characters', () => {
      const project = 'p'.repeat(64)
      expect(reasonOf(`web1.${project}`)).to.equal(`"${project}" is not a valid project name`)
    })
  })

  describe('hostile input', () => {
    it('refuses a name of 257 characters by its length alone', () => {
      expect(reasonOf('a'.repeat(257))).to.equal('login name longer than 256 characters')
    })

    it('refuses a 10 KB name without echoing any of it', () => {
      const raw = `${'u'.repeat(5 * 1024)}@${'\x1b[2J'.repeat(1280)}`
      expect(raw.length, 'input length').to.equal(10 * 1024 + 1)
      expect(reasonOf(raw)).to.equal('login name longer than 256 characters')
    })

    it('checks the parts of a 256-character name and shortens the echo to 64 characters', () => {
      expect(reasonOf('a'.repeat(256))).to.equal(
        `"${'a'.repeat(64)}..." is not a valid container name`,
      )
    })

    it('shortens a long user in the reason', () => {
      expect(reasonOf(`${'x'.repeat(100)}@web1`)).to.equal(
        `"${'x'.repeat(64)}..." is not a valid user name`,
      )
    })

    it('replaces control characters in the reason', () => {
      expect(reasonOf('ali\x1b[31mce@web1'), 'escape').to.equal(
        '"ali?[31mce" is not a valid user name',
      )
      expect(reasonOf('web\x001'), 'NUL').to.equal('"web?1" is not a valid container name')
      expect(reasonOf('web1\r\nroot'), 'CR LF').to.equal(
        '"web1??root" is not a valid container name',
      )
      expect(reasonOf('web1.\x7fdev'), 'DEL').to.equal('"?dev" is not a valid project name')
      expect(reasonOf('a\tb'), 'tab').to.equal('"a?b" is not a valid container name')
    })

    it('replaces non-ASCII and replacement characters in the reason', () => {
      expect(reasonOf('\u00e9lise@web1'), 'e acute').to.equal('"?lise" is not a valid user name')
      expect(reasonOf('\ufffd\ufffd@web1'), 'U+FFFD').to.equal('"??" is not a valid user name')
      expect(reasonOf('web\u202e1'), 'RTL override').to.equal(
        '"web?1" is not a valid container name',
      )
    })

    it('leaves only printable ASCII in the reason for astral characters', () => {
      const reason = reasonOf('\u{1F600}x@web1')
      expect(reason).to.match(/^"\?+x" is not a valid user name$/)
      expect(reason).to.not.include('\u{1F600}')
    })
  })
})
