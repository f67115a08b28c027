import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { AuthContext, Connection, PublicKeyAuthContext, Session } from 'ssh2'

import { SILENT_SSH_OBSERVER } from '../metrics/observer'
import { decideKeyAuthentication } from './auth'
import { isKeepaliveTimeout } from './keepalive'
import { parseLogin } from './login'
import { printable } from './printable'
import { SessionRequests } from './session'
import type { SshObserver } from '../metrics/observer'
import type { AuthDecision, Grant, KeyCandidates } from './auth'
import type { AuthorizedKey } from './authorized-keys'
import type { ClientAddress, LoginTarget, SessionHandler } from './types'

export interface ConnectionSettings {
  authorizedKeys: () => AuthorizedKey[]
  /** Keys that the login's user keeps in the container itself; absent when not enabled. */
  containerKeys?: (login: LoginTarget) => Promise<AuthorizedKey[]>
  /** Decides a certificate; absent when no CA is trusted. */
  certificate?: (ctx: PublicKeyAuthContext, login: LoginTarget, address: string) => AuthDecision
  defaultUser: string
  defaultProject?: string
  maxAuthTries: number
  maxSessions: number
  acceptEnv: string[]
  subsystems: string[]
  handler: SessionHandler
  /** Told once the client has authenticated. */
  onAuthenticated?: () => void
  /** Told when the client left keepalive probes unanswered and is being disconnected. */
  onUnresponsive?: () => void
  /** Told of each authentication request; absent means nobody counts. */
  observer?: SshObserver
}

/** One client connection: authentication, then its session channels. */
export class ClientConnection {
  readonly id = randomBytes(6).toString('hex')
  private log: Logger
  private login?: LoginTarget
  private grant?: Grant
  private failures = 0
  private openSessions = 0
  private readonly openedAt = Date.now()
  private readonly observer: SshObserver

  constructor(
    private readonly client: Connection,
    private readonly address: ClientAddress,
    private readonly settings: ConnectionSettings,
    parentLog: Logger,
  ) {
    this.observer = settings.observer ?? SILENT_SSH_OBSERVER
    this.log = parentLog.child({ connId: this.id, remoteAddr: address.remoteAddress })
    this.log.info(
      { event: 'connection_opened', remotePort: address.remotePort },
      'connection opened',
    )

    client.on('authentication', (ctx) => this.onAuthentication(ctx))
    client.on('session', (accept, reject) => this.onSession(accept, reject))
    client.on('error', (err) => this.onError(err))
    client.once('close', () => this.onClose())
  }

  /** Disconnects the client at once. */
  end(): void {
    this.client.end()
  }

  private onError(err: Error): void {
    if (!isKeepaliveTimeout(err)) {
      this.log.info({ err, event: 'connection_error' }, 'client error')
      return
    }

    // The client's doing (or its network's), so info; it is gone, so nothing is told to it.
    this.log.info(
      { event: 'client_unresponsive', sessions: this.openSessions },
      'client left keepalive probes unanswered; disconnecting',
    )
    this.settings.onUnresponsive?.()
  }

  private onAuthentication(ctx: AuthContext): void {
    this.authenticate(ctx).catch((err: unknown) => {
      this.log.error({ err, event: 'auth_error' }, 'authentication failed inside the gateway')
      this.observer.authRequest(ctx.method, 'error')
      ctx.reject(['publickey'])
    })
  }

  private async authenticate(ctx: AuthContext): Promise<void> {
    // OpenSSH opens with "none" to learn the methods; that is no failed attempt.
    if (ctx.method === 'none') return ctx.reject(['publickey'])
    const parsed = parseLogin(ctx.username)
    if (ctx.method !== 'publickey') return this.refuse(ctx, `method ${ctx.method} not offered`)
    if (!parsed.ok) return this.refuse(ctx, parsed.reason)

    const login = this.resolve(parsed.target)
    const decision = await this.decide(ctx, login)
    if (decision.action === 'key-ok') {
      this.observer.authRequest(ctx.method, 'key_ok')
      return ctx.accept()
    }
    if (decision.action === 'refuse') return this.refuse(ctx, decision.reason)
    this.accept(ctx, login, decision.grant)
  }

  private async decide(ctx: PublicKeyAuthContext, login: LoginTarget): Promise<AuthDecision> {
    const address = this.address.remoteAddress
    if (this.settings.certificate && ctx.key.algo.includes('-cert-')) {
      return this.settings.certificate(ctx, login, address)
    }

    const candidates: KeyCandidates[] = [
      { keys: this.settings.authorizedKeys(), source: 'authorized_keys' },
    ]
    if (this.settings.containerKeys) {
      candidates.push({ keys: await this.settings.containerKeys(login), source: 'container' })
    }
    return decideKeyAuthentication(ctx, login, candidates, address, this.settings.defaultProject)
  }

  /** Fills in the configured user and project where the login name leaves them out. */
  private resolve(login: LoginTarget): LoginTarget {
    return {
      ...login,
      user: login.user ?? this.settings.defaultUser,
      project: login.project ?? this.settings.defaultProject,
    }
  }

  private refuse(ctx: AuthContext, reason: string): void {
    this.failures += 1
    const user = printable(ctx.username)
    this.log.info(
      { event: 'auth_refused', user, method: ctx.method, reason, failures: this.failures },
      'authentication refused',
    )
    ctx.reject(['publickey'])
    this.observer.authRequest(ctx.method, 'refused')

    if (this.failures >= this.settings.maxAuthTries) {
      this.log.info({ event: 'auth_tries_exceeded', failures: this.failures }, 'too many tries')
      this.observer.connectionDropped('max_auth_tries')
      this.client.end()
    }
  }

  private accept(ctx: AuthContext, login: LoginTarget, grant: Grant): void {
    this.login = login
    this.grant = grant
    this.log = this.log.child({ user: login.raw })
    this.log.info(
      {
        event: 'auth_accepted',
        method: 'publickey',
        keyType: grant.keyType,
        keyFingerprint: grant.keyFingerprint,
        keySource: grant.source,
        certificateId: grant.certificateId,
        container: login.container,
        project: login.project,
        targetUser: login.user,
      },
      'authentication accepted',
    )
    ctx.accept()
    this.observer.authRequest(ctx.method, 'accepted')
    this.settings.onAuthenticated?.()
  }

  private onSession(accept: () => Session, reject: () => void): void {
    if (!this.login || !this.grant) return reject()
    if (this.openSessions >= this.settings.maxSessions) {
      this.log.info({ event: 'session_refused', reason: 'maxSessions' }, 'too many sessions')
      return reject()
    }

    this.openSessions += 1
    const session = accept()
    session.once('close', () => (this.openSessions -= 1))
    new SessionRequests(session, {
      login: this.login,
      restrictions: this.grant.restrictions,
      keyFingerprint: this.grant.keyFingerprint,
      client: this.address,
      acceptEnv: this.settings.acceptEnv,
      subsystems: this.settings.subsystems,
      handler: this.settings.handler,
      log: this.log,
    })
  }

  private onClose(): void {
    this.log.info(
      { event: 'connection_closed', durationMs: Date.now() - this.openedAt },
      'connection closed',
    )
  }
}
