import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'

import { ErrorCode, GatewayError } from '../../errors'
import { parsePasswd } from '../passwd'
import { detectDialect } from './dialect'
import { describeEndpoint, notTrusted, pinServerCertificate } from './endpoint'
import { startExec } from './exec-start'
import { DaemonHttp, DaemonRequestError } from './http'
import { observeRequests } from './observe'
import { instancePath } from './paths'
import { upgradeToSftp } from './sftp'
import { instanceStatus } from './status'
import { startIfStopped } from './start'
import type { BackendObserver } from '../../metrics/observer'
import type { Dialect, ServerInfo } from './dialect'
import type { Endpoint } from './endpoint'
import type {
  ExecBackend,
  ExecProcess,
  ExecSpec,
  InstanceRef,
  InstanceUser,
  StartOutcome,
} from '../types'

/** What GET /1.0/operations lists of each operation. */
interface OperationSummary {
  description: string
  resources?: { instances?: string[] }
}

/** The descriptions LXD and Incus give the operations that end an instance's processes. */
const ENDING_OPERATION = /^(Stopping|Restarting|Deleting) instance/

/** A daemon slower than this to say hello is as good as gone for new sessions. */
const PROBE_TIMEOUT_MS = 5000

/** LXD or Incus, over the local socket or HTTPS; the dialect is read from GET /1.0. */
export class LxdBackend implements ExecBackend {
  /** Starts under way, by project and name. */
  private readonly starting = new Map<string, Promise<StartOutcome>>()

  private constructor(
    private readonly endpoint: Endpoint,
    private readonly http: DaemonHttp,
    private readonly dialect: Dialect,
    private readonly log: Logger,
  ) {}

  get kind(): string {
    return this.dialect.kind
  }

  /**
   * Connects, checks that the daemon trusts us, and learns which dialect it speaks. The
   * observer hears of every request after that first one, once the dialect names the daemon.
   */
  static async connect(
    endpoint: Endpoint,
    log: Logger,
    observer?: BackendObserver,
  ): Promise<LxdBackend> {
    if (endpoint.kind === 'https') await pinServerCertificate(endpoint)
    const http = new DaemonHttp(endpoint)

    const server = await http.json<ServerInfo & { auth?: string }>('GET', '/1.0')
      .catch((err: unknown) => { throw daemonUnusable(endpoint, err) })
    if (server.metadata.auth !== undefined && server.metadata.auth !== 'trusted') {
      throw notTrusted(endpoint, server.metadata.auth)
    }

    const dialect = detectDialect(server.metadata)
    if (observer) observeRequests(http, observer, dialect.kind)
    return new LxdBackend(endpoint, http, dialect, log.child({ backend: dialect.kind }))
  }

  describe(): string {
    const { kind, version, endsOutputAfterExit } = this.dialect
    const output = endsOutputAfterExit ? 'ends output after exit' : 'holds output open'
    return `${kind} ${version} at ${describeEndpoint(this.endpoint)} (${output})`
  }

  async lookupUser(instance: InstanceRef, user: string): Promise<InstanceUser> {
    const text = await this.readFile(instance, '/etc/passwd')
    const entry = text === undefined ? undefined : parsePasswd(text).find((e) => e.name === user)
    if (entry) return { ...entry, shell: entry.shell || '/bin/sh' }

    // An image without /etc/passwd still has a root; sshd would refuse, but `lxc exec` works.
    if (user === 'root') return { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' }
    throw new GatewayError(
      ErrorCode.SESSION_FAILED,
      `user "${user}" not found in /etc/passwd of instance "${instance.name}"`,
      { userMessage: `user "${user}" does not exist in container "${instance.name}"` },
    )
  }

  async exec(spec: ExecSpec): Promise<ExecProcess> {
    try {
      return await startExec(this.http, this.endpoint, this.dialect, spec, this.log)
    } catch (err) {
      throw instanceError(spec.instance, err)
    }
  }

  async readUserFile(
    instance: InstanceRef,
    user: string,
    path: string,
  ): Promise<string | undefined> {
    const { home } = await this.lookupUser(instance, user)
    return this.readFile(instance, `${home.replace(/\/+$/, '')}/${path}`)
  }

  async findFile(instance: InstanceRef, paths: string[]): Promise<string | undefined> {
    const found = await Promise.all(paths.map((path) => this.fileExists(instance, path)))
    return paths.find((_path, index) => found[index])
  }

  /** The daemon's SFTP server also serves stopped instances; sessions must not, as for exec. */
  async openSftp(instance: InstanceRef): Promise<Duplex> {
    try {
      const status = await instanceStatus(this.http, instance)
      if (status !== 'Running') {
        throw new DaemonRequestError(400, `Instance is not running (${status})`, '')
      }
      return await upgradeToSftp(this.endpoint, instancePath(instance, 'sftp'))
    } catch (err) {
      throw instanceError(instance, err)
    }
  }

  /** Whether the daemon answers GET /1.0 now; rejects when it does not. */
  async probe(): Promise<void> {
    await this.http.json('GET', '/1.0', undefined, PROBE_TIMEOUT_MS)
  }

  /**
   * Running, and no stop under way. A stop kills the instance's processes before the record
   * leaves Running (about 0.7 s later, with an exec attached), so the daemon's operations are
   * asked too.
   */
  async isRunning(instance: InstanceRef): Promise<boolean> {
    if (await instanceStatus(this.http, instance) !== 'Running') return false
    return !(await this.stopUnderWay(instance))
  }

  private async stopUnderWay(instance: InstanceRef): Promise<boolean> {
    const query = new URLSearchParams({ recursion: '1' })
    if (instance.project) query.set('project', instance.project)
    const listed = await this.http.json<Record<string, OperationSummary[] | null>>(
      'GET', `/1.0/operations?${query.toString()}`)
    const path = instancePath({ name: instance.name })
    return (listed.metadata.running ?? []).some((operation) =>
      ENDING_OPERATION.test(operation.description)
      && (operation.resources?.instances ?? []).some((ref) => ref.split('?')[0] === path))
  }

  /** Sessions that arrive while a start is under way wait for it rather than start again. */
  async startIfStopped(instance: InstanceRef, timeoutMs: number): Promise<StartOutcome> {
    const key = `${instance.project ?? ''}/${instance.name}`
    const underWay = this.starting.get(key)
    if (underWay) return underWay.then(() => 'running' as const)

    const start = startIfStopped(this.http, instance, timeoutMs)
      .catch((err: unknown) => { throw instanceError(instance, err) })
      .finally(() => this.starting.delete(key))
    this.starting.set(key, start)
    return start
  }

  close(): void {
    this.http.close()
  }

  private async fileExists(instance: InstanceRef, path: string): Promise<boolean> {
    const query = `path=${path}`
    const response = await this.http.raw('HEAD', instancePath(instance, 'files', query))
    return response.statusCode === 200
  }

  /** The file's text, or undefined when the instance has no such file. */
  private async readFile(instance: InstanceRef, path: string): Promise<string | undefined> {
    const response = await this.http.raw('GET', instancePath(instance, 'files', `path=${path}`))
    if (response.statusCode === 200) return response.body.toString('utf8')

    const message = errorText(response.body)
    if (response.statusCode === 404 && !/instance not found/i.test(message)) return undefined
    throw instanceError(instance, new DaemonRequestError(response.statusCode, message, path))
  }
}

function errorText(body: Buffer): string {
  try {
    return (JSON.parse(body.toString('utf8')) as { error?: string }).error ?? ''
  } catch {
    return body.toString('utf8').slice(0, 200)
  }
}

/** Turns the daemon's refusals about an instance into errors the SSH user can read. */
function instanceError(instance: InstanceRef, err: unknown): unknown {
  if (!(err instanceof DaemonRequestError)) return err

  const name = instance.project
    ? `${instance.name}" in project "${instance.project}`
    : instance.name
  const message = err.daemonMessage
  if (/instance not found/i.test(message)) {
    return new GatewayError(ErrorCode.INSTANCE_NOT_FOUND, `instance "${name}": ${message}`, {
      userMessage: `container "${name}" not found`,
      cause: err,
    })
  }
  if (/^start failed/.test(message)) {
    return new GatewayError(ErrorCode.INSTANCE_NOT_RUNNING, `instance "${name}": ${message}`, {
      userMessage: `container "${name}" could not be started`,
      cause: err,
    })
  }
  if (/not running|frozen/i.test(message)) {
    const state = /frozen/i.test(message) ? 'frozen' : 'not running'
    return new GatewayError(ErrorCode.INSTANCE_NOT_RUNNING, `instance "${name}": ${message}`, {
      userMessage: `container "${name}" is ${state}`,
      cause: err,
    })
  }
  return new GatewayError(ErrorCode.BACKEND_REQUEST_FAILED, err.message, {
    userMessage: 'the container daemon refused the request',
    cause: err,
  })
}

function daemonUnusable(endpoint: Endpoint, err: unknown): unknown {
  if (!(err instanceof DaemonRequestError)) return err
  return new GatewayError(
    ErrorCode.BACKEND_UNREACHABLE,
    `daemon at ${describeEndpoint(endpoint)} answered GET /1.0 with ${err.message}`,
    { cause: err },
  )
}
