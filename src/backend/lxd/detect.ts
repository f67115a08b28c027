import { statSync } from 'node:fs'

import { ErrorCode, GatewayError } from '../../errors'

/** Where LXD and Incus put their local socket, in the order the gateway tries them. */
export function candidateSockets(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = [
    env.LXD_SOCKET,
    env.INCUS_SOCKET,
    '/var/snap/lxd/common/lxd/unix.socket',
    '/var/lib/lxd/unix.socket',
    '/var/lib/incus/unix.socket',
    '/run/incus/unix.socket',
  ]
  return candidates.filter((path): path is string => Boolean(path))
}

/** The first candidate that exists and is a socket. */
export function detectLocalSocket(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = candidateSockets(env)
  const found = candidates.find(isSocket)
  if (found) return found

  throw new GatewayError(
    ErrorCode.BACKEND_NOT_FOUND,
    `no LXD or Incus socket found; tried ${candidates.join(', ')}`,
    { userMessage: 'no container daemon is configured' },
  )
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket()
  } catch {
    return false
  }
}
