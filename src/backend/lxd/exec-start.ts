import type { Logger } from 'pino'
import type WebSocket from 'ws'

import { ErrorCode, GatewayError } from '../../errors'
import { commandLine } from './command-line'
import { LxdExecProcess } from './exec-process'
import { endTaggedProcesses } from './leftovers'
import { instancePath } from './paths'
import { connectWebSocket, dropWebSocket } from './websocket-connect'
import type { Dialect } from './dialect'
import type { Endpoint } from './endpoint'
import type { ExecOperation, ExecSockets } from './exec-process'
import type { DaemonHttp, RawResponse } from './http'
import type { ExecSpec } from '../types'

/** The operation object of a new exec; its metadata names one secret per websocket. */
interface ExecCreated {
  id: string
  metadata: { fds: Record<string, string> }
}

/**
 * POSTs the exec, starts waiting on its operation, and connects its websockets: control first,
 * as the lxc client does, because a command that exits before control is connected makes the
 * late connect fail. Every socket must be up within the daemon's deadline (5 s on LXD 5.0).
 */
export async function startExec(
  http: DaemonHttp,
  endpoint: Endpoint,
  dialect: Dialect,
  spec: ExecSpec,
  log: Logger,
): Promise<LxdExecProcess> {
  const interactive = spec.terminal !== undefined
  const created = await http.json<ExecCreated>('POST', instancePath(spec.instance, 'exec'), {
    command: commandLine(spec, dialect),
    environment: { ...spec.env, EXECGATE_SESSION: spec.sessionTag },
    interactive,
    'wait-for-websocket': true,
    'record-output': false,
    width: spec.terminal?.cols ?? 0,
    height: spec.terminal?.rows ?? 0,
    user: spec.uid,
    group: spec.gid,
    cwd: spec.cwd,
  })

  const operationId = created.metadata.id
  const operationDone = waitForOperation(http, operationId)
  const { fds } = created.metadata.metadata
  const sockets = await connectSockets(endpoint, operationId, fds, interactive)

  const reap = (mode: 'output-holders' | 'all') => () =>
    endTaggedProcesses(http, spec.instance, spec.sessionTag, mode).catch((err: unknown) => {
      log.warn({ err, event: 'leftover_cleanup_failed', mode }, 'could not end leftover processes')
    })

  return new LxdExecProcess({
    sockets,
    interactive,
    operationDone,
    endOutputHolders: dialect.endsOutputAfterExit ? async () => undefined : reap('output-holders'),
    endEverything: reap('all'),
  })
}

/**
 * The wait has no timeout of its own: the operation lasts as long as the process. It must start
 * now, because the daemon forgets a finished operation 5 s after it ends.
 */
async function waitForOperation(http: DaemonHttp, id: string): Promise<ExecOperation> {
  const path = `/1.0/operations/${encodeURIComponent(id)}`
  const waited = parseOperation(await http.raw('GET', `${path}/wait`, { timeoutMs: 0 }))
  if (waited.operation) return waited.operation

  // Incus answers the wait of a failed operation (a command that exits 126 or 127) with an
  // error envelope; the operation itself, kept for 5 s, still holds the exit status.
  const fetched = parseOperation(await http.raw('GET', path))
  if (fetched.operation) return fetched.operation
  throw new GatewayError(ErrorCode.EXEC_LOST, `waiting on operation ${id}: ${waited.error}`, {
    userMessage: 'lost track of the command in the container daemon',
  })
}

function parseOperation(response: RawResponse): { operation?: ExecOperation; error?: string } {
  try {
    const envelope = JSON.parse(response.body.toString('utf8')) as {
      type: string
      error?: string
      metadata?: ExecOperation | null
    }
    if (envelope.type !== 'error' && envelope.metadata) return { operation: envelope.metadata }
    return { error: envelope.error }
  } catch {
    return { error: `HTTP ${response.statusCode}` }
  }
}

async function connectSockets(
  endpoint: Endpoint,
  operationId: string,
  fds: Record<string, string>,
  interactive: boolean,
): Promise<ExecSockets> {
  const opened: WebSocket[] = []
  const connect = async (fd: string): Promise<WebSocket> => {
    const secret = encodeURIComponent(fds[fd] ?? '')
    const path = `/1.0/operations/${encodeURIComponent(operationId)}/websocket?secret=${secret}`
    const socket = await connectWebSocket(endpoint, path)
    opened.push(socket)
    return socket
  }

  try {
    const control = await connect('control')
    if (interactive) return { control, stdin: await connect('0') }

    const [stdin, stdout, stderr] = await Promise.all([connect('0'), connect('1'), connect('2')])
    return { control, stdin, stdout, stderr }
  } catch (err) {
    opened.forEach(dropWebSocket)
    throw new GatewayError(ErrorCode.EXEC_FAILED, `connecting exec websockets: ${String(err)}`, {
      userMessage: 'the command could not be started',
      cause: err,
    })
  }
}
