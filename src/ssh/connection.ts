import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { AuthContext, Connection, Session } from 'ssh2'

import { decideAuthentication } from './auth'
import { fingerprintOf } from './host-keys'
import { SessionRequests } from './session'
import type { AuthorizedKey } from './authorized-keys'
import type { ClientAddress, LoginTarget, SessionHandler } from './types'
import { printable } from './printable'

export interface ConnectionSettings {
  authorizedKeys: () => AuthorizedKey[]
  acceptEnv: string[]
  subsystems: string[]
  handler: SessionHandler
}

/** One client connection: authentication, then its session channels. */
export class ClientConnection {
  readonly id = randomBytes(6).toString('hex')
  private log: Logger
  private login?: LoginTarget
  private readonly openedAt = Date.now()

  constructor(
    private readonly client: Connection,
    private readonly address: ClientAddress,
    private readonly settings: ConnectionSettings,
    parentLog: Logger,
  ) {
    this.log = parentLog.child({ connId: this.id, remoteAddr: address.remoteAddress })
    this.log.info(
      { event: 'connection_opened', remotePort: address.remotePort },
      'connection opened',
    )

    client.on('authentication', (ctx) => this.onAuthentication(ctx))
    client.on('session', (accept, reject) => this.onSession(accept, reject))
    client.on('error', (err) => this.log.info({ err, event: 'connection_error' }, 'client error'))
    client.once('close', () => this.onClose())
  }

  /** Disconnects the client at once. */
  end(): void {
    this.client.end()
  }

  private onAuthentication(ctx: AuthContext): void {
    const decision = decideAuthentication(ctx, this.settings.authorizedKeys())
    const user = printable(ctx.username)

    if (decision.action === 'key-ok') return ctx.accept()
    if (decision.action === 'refuse') {
      const fields = { event: 'auth_refused', user, method: ctx.method, reason: decision.reason }
      if (!decision.quiet) this.log.info(fields, 'authentication refused')
      return ctx.reject(['publickey'])
    }

    this.login = decision.login
    this.log = this.log.child({ user: decision.login.raw })
    this.log.info(
      {
        event: 'auth_accepted',
        method: 'publickey',
        keyType: decision.key.key.type,
        keyFingerprint: fingerprintOf(decision.key.blob),
        keyLine: decision.key.line,
      },
      'authentication accepted',
    )
    ctx.accept()
  }

  private onSession(accept: () => Session, reject: () => void): void {
    if (!this.login) return reject()

    const session = accept()
    new SessionRequests(session, {
      login: this.login,
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
