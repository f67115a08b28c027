import type { Duplex } from 'node:stream'

import { ErrorCode, GatewayError } from '../errors'
import { matchesContainerPattern } from '../util/glob'
import type {
  ExecBackend,
  ExecProcess,
  ExecSpec,
  InstanceRef,
  InstanceUser,
  StartOutcome,
} from './types'

/** Sends the instances that match `containers` to the named backend. */
export interface BackendRoute {
  /** Container patterns, `NAME` or `NAME.PROJECT`, globs allowed. */
  containers: string[]
  backend: string
}

/**
 * Several daemons behind one gateway: each instance goes to the backend of the first route that
 * matches it, or to the default backend. The bridge sees one backend and never knows.
 */
export class RoutingBackend implements ExecBackend {
  readonly kind = 'routed'

  constructor(
    private readonly backends: ReadonlyMap<string, ExecBackend>,
    private readonly routes: readonly BackendRoute[],
    private readonly defaultName: string,
  ) {
    for (const route of routes) {
      if (!backends.has(route.backend)) {
        throw new GatewayError(
          ErrorCode.CONFIG_INVALID,
          `routes: backend "${route.backend}" is not defined`,
        )
      }
    }
  }

  /** The backend name an instance goes to; exported for logs and tests. */
  nameFor(instance: InstanceRef): string {
    const project = instance.project ?? 'default'
    const route = this.routes.find(({ containers }) => containers.some((pattern) =>
      matchesContainerPattern(pattern, instance.name, project, 'default')))
    return route?.backend ?? this.defaultName
  }

  describe(): string {
    return [...this.backends].map(([name, backend]) => `${name}: ${backend.describe()}`)
      .join('; ')
  }

  lookupUser(instance: InstanceRef, user: string): Promise<InstanceUser> {
    return this.backendFor(instance).lookupUser(instance, user)
  }

  exec(spec: ExecSpec): Promise<ExecProcess> {
    return this.backendFor(spec.instance).exec(spec)
  }

  readUserFile(instance: InstanceRef, user: string, path: string): Promise<string | undefined> {
    return this.backendFor(instance).readUserFile(instance, user, path)
  }

  findFile(instance: InstanceRef, paths: string[]): Promise<string | undefined> {
    return this.backendFor(instance).findFile(instance, paths)
  }

  async openSftp(instance: InstanceRef): Promise<Duplex> {
    const backend = this.backendFor(instance)
    if (!backend.openSftp) {
      throw new GatewayError(
        ErrorCode.SESSION_FAILED,
        `backend "${this.nameFor(instance)}" has no SFTP server of its own`,
      )
    }
    return backend.openSftp(instance)
  }

  isRunning(instance: InstanceRef): Promise<boolean> {
    return this.backendFor(instance).isRunning(instance)
  }

  startIfStopped(instance: InstanceRef, timeoutMs: number): Promise<StartOutcome> {
    return this.backendFor(instance).startIfStopped(instance, timeoutMs)
  }

  /** Every daemon must answer: an instance on any of them may be asked for. */
  async probe(): Promise<void> {
    await Promise.all([...this.backends.values()].map((backend) => backend.probe()))
  }

  close(): void {
    for (const backend of this.backends.values()) backend.close()
  }

  private backendFor(instance: InstanceRef): ExecBackend {
    // The constructor checked every route's name, so the lookup cannot miss.
    return this.backends.get(this.nameFor(instance)) as ExecBackend
  }
}
