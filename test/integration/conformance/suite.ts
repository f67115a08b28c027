import { requireDaemon } from '../../helpers/daemons'
import { startGateway } from '../../helpers/gateway'
import { runSsh } from '../../helpers/ssh'
import type { Daemon } from '../../helpers/daemons'
import type { Gateway } from '../../helpers/gateway'
import type { SshOptions } from '../../helpers/ssh'

/** The container every exec test runs in, unless it says otherwise. */
export const CONTAINER = 'c1'

/** "Returns within ~3 s": the drain bound (1 s by default) plus connection set-up and slack. */
export const DRAIN_DEADLINE_MS = 3500

/** One daemon's conformance run: the daemon and the gateway started in front of it. */
export class ConformanceSuite {
  private started: Gateway | undefined

  constructor(readonly daemon: Daemon) {}

  /** The suite's gateway; throws when before() has not started it. */
  get gateway(): Gateway {
    if (!this.started) throw new Error(`no gateway in front of ${this.daemon.name}`)
    return this.started
  }

  /** Checks the daemon, then starts a gateway with default settings in front of it. */
  async start(): Promise<void> {
    await requireDaemon(this.daemon)
    this.started = await startGateway({ backend: this.daemon.socket })
  }

  async stop(): Promise<void> {
    await this.started?.stop()
    this.started = undefined
  }

  /** `ssh c1@gateway COMMAND`, with extra client options. */
  ssh(command: string | undefined, options: Partial<SshOptions> = {}) {
    return runSsh(this.gateway, { user: CONTAINER, command, ...options })
  }
}
