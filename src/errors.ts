/**
 * Every failure execgate reports carries a stable code, an operator message with the cause, and
 * a short message that is safe to show the SSH user.
 */
export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  HOST_KEY_UNSAFE: 'HOST_KEY_UNSAFE',
  HOST_KEY_UNREADABLE: 'HOST_KEY_UNREADABLE',
  AUTHORIZED_KEYS_UNREADABLE: 'AUTHORIZED_KEYS_UNREADABLE',
  TRUSTED_CA_KEYS_UNREADABLE: 'TRUSTED_CA_KEYS_UNREADABLE',
  BACKEND_NOT_FOUND: 'BACKEND_NOT_FOUND',
  BACKEND_UNREACHABLE: 'BACKEND_UNREACHABLE',
  BACKEND_REQUEST_FAILED: 'BACKEND_REQUEST_FAILED',
  INSTANCE_NOT_FOUND: 'INSTANCE_NOT_FOUND',
  INSTANCE_NOT_RUNNING: 'INSTANCE_NOT_RUNNING',
  EXEC_FAILED: 'EXEC_FAILED',
  EXEC_LOST: 'EXEC_LOST',
  SESSION_FAILED: 'SESSION_FAILED',
  SESSION_IDLE_TIMEOUT: 'SESSION_IDLE_TIMEOUT',
  SESSION_TIME_LIMIT: 'SESSION_TIME_LIMIT',
  METRICS_LISTEN_FAILED: 'METRICS_LISTEN_FAILED',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface GatewayErrorOptions {
  /** What the SSH user is told; never holds internals. */
  userMessage?: string
  cause?: unknown
}

export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly userMessage: string

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.userMessage = options.userMessage ?? 'internal gateway error'
  }
}

/** The message for the SSH user, whatever was thrown. */
export function userMessageOf(err: unknown): string {
  return err instanceof GatewayError ? err.userMessage : 'internal gateway error'
}

export function isGatewayError(err: unknown, code?: ErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code)
}
