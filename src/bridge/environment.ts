import type { InstanceUser } from '../backend/types'
import type { SessionRequest } from '../ssh/types'

/** sshd's default PATH for root and for other users (Debian's build). */
const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const USER_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/games'

/**
 * The environment sshd gives a session: whatever the client sent that AcceptEnv let through,
 * then who the user is, where the connection comes from and the terminal type, which win over
 * client values of the same name as they do in sshd's do_setup_env.
 */
export function sessionEnvironment(
  request: SessionRequest,
  user: InstanceUser,
): Record<string, string> {
  const { remoteAddress, remotePort, localAddress, localPort } = request.client
  const env: Record<string, string> = {
    USER: user.name,
    LOGNAME: user.name,
    HOME: user.home,
    SHELL: user.shell,
    PATH: user.uid === 0 ? ROOT_PATH : USER_PATH,
    SSH_CLIENT: `${remoteAddress} ${remotePort} ${localPort}`,
    SSH_CONNECTION: `${remoteAddress} ${remotePort} ${localAddress} ${localPort}`,
  }
  if (request.terminal) env.TERM = request.terminal.term
  if (request.forcedCommand !== undefined && request.command !== undefined) {
    env.SSH_ORIGINAL_COMMAND = request.command
  }
  return { ...request.env, ...env }
}
