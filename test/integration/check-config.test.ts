import { expect } from 'chai'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GATEWAY_BIN } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { run } from '../helpers/process'

/** `execgate --check-config` on files written for each case, as `sshd -t` is run. */
describe('execgate --check-config', () => {
  let dir = ''
  let keys = ''

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'execgate-check-'))
    keys = join(dir, 'authorized_keys')
    const client = await makeClientKey(dir)
    await writeFile(keys, `${client.publicLine}\n`, { mode: 0o600 })
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function check(yaml: string, extra: string[] = []) {
    const file = join(dir, 'execgate.yaml')
    await writeFile(file, yaml)
    return run(process.execPath, [GATEWAY_BIN, '--check-config', '--config', file,
      '--authorized-keys', keys, '--host-keys', join(dir, 'host-keys'), ...extra])
  }

  it('exits 0 and prints nothing but notes for a good file', async () => {
    const r = await check('listen: 127.0.0.1:2222\nssh: { maxSessions: 4 }\n')
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout.toString()).to.equal('')
    expect(r.stderr).to.match(/warning: host key ".*ssh_host_ed25519_key" does not exist yet/)
  })

  const broken: [string, string, string][] = [
    ['a YAML syntax error', 'listen: [127.0.0.1\n', 'execgate.yaml: '],
    ['an unknown key', 'ssh: { maxSesions: 4 }\n', 'ssh.maxSesions: unknown key'],
    ['a value of the wrong type', 'auth: { maxTries: many }\n', 'auth.maxTries: '],
    ['a bad listen address', 'listen: nowhere\n', 'listen: expected "HOST:PORT"'],
    ['a route to no backend', 'routes: [{ containers: [a*], backend: nope }]\n', 'routes[0]'],
  ]
  for (const [what, yaml, expected] of broken) {
    it(`exits 1 naming the field for ${what}`, async () => {
      const r = await check(yaml)
      expect(r.code, r.stderr).to.equal(1)
      expect(r.stderr).to.match(/^execgate: /)
      expect(r.stderr).to.include(expected)
    })
  }

  it('exits 1 when authorized_keys cannot be read', async () => {
    await rm(keys)
    const r = await check('{}\n')
    expect(r.code).to.equal(1)
    expect(r.stderr).to.include(`cannot read authorized keys "${keys}"`)
  })

  it('warns about an authorized_keys line it would skip, naming file and line', async () => {
    await writeFile(keys, '# comment\nssh-ed25519 not-base64!\n', { mode: 0o600 })
    const r = await check('{}\n')
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stderr).to.include(`${keys}:2: skipped:`)
  })

  it('exits 1 for a host key that others can read, as sshd does', async () => {
    const hostKeys = join(dir, 'host-keys')
    await mkdir(hostKeys)
    const hostKey = await makeClientKey(hostKeys, 'ssh_host_ed25519_key')
    await chmod(hostKey.path, 0o644)
    const r = await check('{}\n')
    expect(r.code).to.equal(1)
    expect(r.stderr).to.include('has mode 0644')
  })
})
