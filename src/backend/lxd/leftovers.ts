import type { DaemonHttp } from './http'
import { instancePath } from './paths'
import type { InstanceRef } from '../types'

/** Which tagged processes to end. */
export type LeftoverMode = 'output-holders' | 'all'

/**
 * Finds the processes whose environment carries the session's tag and kills them: all of them,
 * or only those whose stdin, stdout or stderr is still a pipe or a terminal (the ones keeping
 * the session's output, and so its exit status, open). Busybox sh is enough to run it.
 */
const SCRIPT = `tag="EXECGATE_SESSION=$1"
for dir in /proc/[0-9]*; do
  grep -q "$tag" "$dir/environ" 2>/dev/null || continue
  if [ "$2" = output-holders ]; then
    held=
    for fd in 0 1 2; do
      case "$(readlink "$dir/fd/$fd" 2>/dev/null)" in pipe:*|/dev/pts/*) held=1 ;; esac
    done
    [ -n "$held" ] || continue
  fi
  kill -9 "\${dir#/proc/}" 2>/dev/null
done
exit 0`

const REAP_TIMEOUT_S = 10

/**
 * Runs the reaper as a fire-and-forget exec (no websockets) and waits for it. Needs /bin/sh in
 * the instance; without one, only what the daemon itself ends is ended.
 */
export async function endTaggedProcesses(
  http: DaemonHttp,
  instance: InstanceRef,
  tag: string,
  mode: LeftoverMode,
): Promise<void> {
  const created = await http.json<unknown>('POST', instancePath(instance, 'exec'), {
    command: ['/bin/sh', '-c', SCRIPT, 'execgate-reaper', tag, mode],
    environment: {},
    interactive: false,
    'wait-for-websocket': false,
    'record-output': false,
  })
  if (created.operation) {
    await http.json('GET', `${created.operation}/wait?timeout=${REAP_TIMEOUT_S}`)
  }
}
