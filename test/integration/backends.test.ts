import { expect } from 'chai'

import { DAEMONS, requireDaemon } from '../helpers/daemons'
import { startGateway } from '../helpers/gateway'
import { run } from '../helpers/process'
import { runSsh } from '../helpers/ssh'
import type { Daemon } from '../helpers/daemons'
import type { Gateway } from '../helpers/gateway'

const [LXD, INCUS] = DAEMONS

/** Each daemon leaves its own guest API directory in its containers. */
const WHICH_DAEMON = 'ls -d /dev/lxd /dev/incus 2>/dev/null; true'

async function containerState(daemon: Daemon, name: string): Promise<string> {
  const result = await run(daemon.cli, ['list', `^${name}$`, '-c', 's', '--format', 'csv'])
  return result.stdout.toString().trim()
}

async function stopContainer(daemon: Daemon, name: string): Promise<void> {
  if (await containerState(daemon, name) === 'RUNNING') {
    await run(daemon.cli, ['stop', '--force', name], { timeoutMs: 30000 })
  }
}

describe('routing to several backends', function () {
  this.timeout(60000)
  let gateway: Gateway

  before(async function () {
    this.timeout(30000)
    await requireDaemon(LXD)
    await requireDaemon(INCUS)
    gateway = await startGateway({
      backend: LXD.socket,
      config: {
        backends: { incus: { url: INCUS.socket } },
        routes: [{ containers: ['web-*', '*.team'], backend: 'incus' }],
      },
    })
  })

  after(async function () {
    this.timeout(30000)
    await gateway?.stop()
  })

  const ssh = (user: string, command: string) =>
    runSsh({ port: gateway.port, keyPath: gateway.clientKey.path }, { user, command })

  it('sends a container no route names to the default backend', async () => {
    const result = await ssh('c1', WHICH_DAEMON)
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout.toString()).to.equal('/dev/lxd\n')
  })

  it('sends a container a route names to that route\'s backend', async () => {
    const result = await ssh('web-1', WHICH_DAEMON)
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout.toString()).to.equal('/dev/incus\n')
  })

  it('routes by project', async () => {
    const result = await ssh('p1.team', `hostname; ${WHICH_DAEMON}`)
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout.toString()).to.equal('p1\n/dev/incus\n')
  })

  it('logs each backend by name at start', () => {
    const names = gateway.events('backend_connected').map((line) => line.name)
    expect(names).to.deep.equal(['default', 'incus'])
  })
})

function describeProjectsAndAutoStart(daemon: Daemon): void {
  describe(`projects and auto-start on ${daemon.name}`, function () {
    this.timeout(90000)
    let gateway: Gateway
    let plain: Gateway

    before(async function () {
      this.timeout(60000)
      await requireDaemon(daemon)
      await stopContainer(daemon, 'sleeper1')
      gateway = await startGateway({
        backend: daemon.socket,
        config: { session: { autoStart: true, autoStartTimeoutMs: 30000 } },
      })
      plain = await startGateway({ backend: daemon.socket })
    })

    after(async function () {
      this.timeout(60000)
      await gateway?.stop()
      await plain?.stop()
      await stopContainer(daemon, 'sleeper1')
    })

    const ssh = (target: Gateway, user: string, command: string) =>
      runSsh({ port: target.port, keyPath: target.clientKey.path }, { user, command })

    it('reaches a container in another project with NAME.PROJECT', async () => {
      const inTeam = await ssh(plain, 'p1.team', 'hostname')
      expect(inTeam.code, inTeam.stderr).to.equal(0)
      expect(inTeam.stdout.toString()).to.equal('p1\n')

      const inDefault = await ssh(plain, 'p1', 'hostname')
      expect(inDefault.code, 'p1 in the default project').to.equal(255)
      expect(inDefault.stderr).to.include('container "p1" not found')
    })

    it('refuses a stopped container when auto-start is off', async () => {
      const result = await ssh(plain, 'sleeper1', 'true')
      expect(result.code).to.equal(255)
      expect(result.stderr).to.include('container "sleeper1" is not running')
      expect(await containerState(daemon, 'sleeper1')).to.equal('STOPPED')
    })

    it('does not start a container for a user it does not have', async () => {
      const result = await ssh(gateway, 'nobody-here@sleeper1', 'true')
      expect(result.code).to.equal(255)
      expect(result.stderr).to.include('user "nobody-here" does not exist')
      expect(await containerState(daemon, 'sleeper1')).to.equal('STOPPED')
    })

    it('starts a stopped container and runs the session in it', async () => {
      const result = await ssh(gateway, 'sleeper1', 'hostname')
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stdout.toString()).to.equal('sleeper1\n')
      expect(await containerState(daemon, 'sleeper1')).to.equal('RUNNING')
      expect(gateway.events('instance_started')).to.have.length(1)
    })

    it('starts it once when several sessions race for it', async () => {
      await stopContainer(daemon, 'sleeper1')
      const results = await Promise.all([1, 2, 3].map(() => ssh(gateway, 'sleeper1', 'echo up')))
      const causes = JSON.stringify(gateway.events('session_failed').slice(1).map((l) => l.err))
      for (const result of results) {
        expect(result.code, `${result.stderr} ${causes}`).to.equal(0)
        expect(result.stdout.toString()).to.equal('up\n')
      }
    })
  })
}

for (const daemon of DAEMONS) describeProjectsAndAutoStart(daemon)
