import { expect } from 'chai'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../helpers/gateway'
import { makeClientKey } from '../helpers/keys'
import { run, runOk } from '../helpers/process'

/**
 * The package as an operator gets it: `npm pack`, `npm install -g` into a scratch prefix, the
 * `execgate` command it puts on PATH, and the systemd unit pointed at that command.
 */
describe('the npm package', function () {
  this.timeout(180000)
  let scratch = ''
  let tarball = ''
  let installed = ''

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'execgate-pack-'))
    // Run from the project root, as npm test is. dist/ is fresh, for npm test builds first:
    // prepack would only build it again.
    const packed = await runOk('npm', ['pack', '--ignore-scripts', '--json',
      '--pack-destination', scratch], { timeoutMs: 60000, env: { npm_config_loglevel: 'error' } })
    const [{ filename }] = JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string }[]
    tarball = join(scratch, filename)
    const prefix = join(scratch, 'prefix')
    await runOk('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit',
      '--no-fund', tarball], { timeoutMs: 150000 })
    installed = join(prefix, 'bin', 'execgate')
  })

  after(async () => {
    await rm(scratch, { recursive: true, force: true })
  })

  it('holds the program, the example config and the unit, and no keys or tests', async () => {
    const listing = await runOk('tar', ['tzf', tarball])
    const files = listing.trim().split('\n')
    expect(files).to.include.members(['package/bin/execgate', 'package/dist/src/main.js',
      'package/config/execgate.example.yaml', 'package/packaging/execgate.service',
      'package/packaging/ssh_config.example', 'package/README.md'])
    expect(files.filter((f) => /\/(test|keys|\.demo)\//.test(f)), 'test or key files').to.deep
      .equal([])
  })

  it('installs an execgate command that runs', async () => {
    const r = await run(installed, ['--help'])
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout.toString()).to.match(/^usage: execgate /)
  })

  it('checks a configuration with the installed command', async () => {
    const keys = join(scratch, 'authorized_keys')
    await writeFile(keys, `${(await makeClientKey(scratch)).publicLine}\n`, { mode: 0o600 })
    const config = join(scratch, 'execgate.yaml')
    await writeFile(config, `authorizedKeys: ${keys}\nhostKeys: ${join(scratch, 'hk')}\n`)
    const good = await run(installed, ['--check-config', '--config', config])
    expect(good.code, good.stderr).to.equal(0)

    await writeFile(config, 'listen: 1.2.3.4\n')
    const bad = await run(installed, ['--check-config', '--config', config])
    expect(bad.code).to.equal(1)
    expect(bad.stderr).to.include('listen: expected "HOST:PORT"')
  })

  it('comes with a systemd unit that systemd-analyze accepts', async () => {
    const unit = await readFile(join(PROJECT_ROOT, 'packaging', 'execgate.service'), 'utf8')
    const local = join(scratch, 'execgate.service')
    await writeFile(local, unit.replaceAll('/usr/local/bin/execgate', installed))
    const r = await run('systemd-analyze', ['verify', local])
    expect(r.stderr.trim(), 'what systemd-analyze found').to.equal('')
    expect(r.code).to.equal(0)
    expect(unit).to.match(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m)
  })
})
