import type WebSocket from 'ws'

import { ErrorCode, GatewayError } from '../../errors'
import { dropWebSocket } from './websocket-connect'
import { InputStream, OutputStream } from './websocket-streams'
import type { ExecProcess, ExitResult, TerminalSize } from '../types'

/** What the daemon's operation says once the exec is over. */
export interface ExecOperation {
  status: string
  err?: string
  metadata?: { return?: number } | null
}

export interface ExecSockets {
  control: WebSocket
  /** fd "0", and "1", "2" when not interactive. */
  stdin: WebSocket
  stdout?: WebSocket
  stderr?: WebSocket
}

export interface ExecProcessParts {
  sockets: ExecSockets
  interactive: boolean
  operationDone: Promise<ExecOperation>
  endOutputHolders: () => Promise<void>
  endEverything: () => Promise<void>
}

/** A running LXD/Incus exec seen through its websockets and its operation. */
export class LxdExecProcess implements ExecProcess {
  readonly stdin: InputStream
  readonly stdout: OutputStream
  readonly stderr: OutputStream | null
  readonly exited: Promise<void>
  readonly finished: Promise<ExitResult>
  private readonly sockets: ExecSockets
  private terminated = false

  constructor(private readonly parts: ExecProcessParts) {
    const { sockets, interactive } = parts
    this.sockets = sockets
    this.stdin = new InputStream(sockets.stdin, !interactive)
    this.stdout = new OutputStream(interactive ? sockets.stdin : required(sockets.stdout))
    this.stderr = interactive ? null : new OutputStream(required(sockets.stderr))

    for (const socket of Object.values(sockets) as WebSocket[]) {
      // Socket errors end the stream through "close"; an unheard "error" would crash the process.
      socket.on('error', () => undefined)
    }
    // The sockets come paused; the output streams resume theirs when read, and these two must
    // be read from now on to see them close.
    sockets.control.resume()
    if (!interactive) sockets.stdin.resume()

    // The daemon drops the control socket the moment the main process exits.
    this.exited = new Promise((resolve) => sockets.control.once('close', () => resolve()))

    // An interactive exec is only over once the client closes "0" after the daemon's barrier.
    if (interactive) void this.stdout.ended.then(() => dropWebSocket(sockets.stdin))

    this.finished = this.waitForExit()
    // The bridge awaits this; the guard only keeps an early failure from counting as unhandled.
    this.finished.catch(() => undefined)
  }

  resize(size: TerminalSize): void {
    this.sendControl({
      command: 'window-resize',
      args: { width: String(size.cols), height: String(size.rows) },
      signal: 0,
    })
  }

  signal(signo: number): void {
    this.sendControl({ command: 'signal', args: {}, signal: signo })
  }

  async releaseLeftovers(): Promise<void> {
    await this.parts.endOutputHolders()
  }

  async terminate(): Promise<void> {
    if (this.terminated) return
    this.terminated = true

    // Closing control makes the daemon SIGKILL the main process; the reaper ends its children.
    dropWebSocket(this.sockets.control)
    try {
      await this.parts.endEverything()
    } finally {
      this.stdout.finish()
      this.stderr?.finish()
      for (const socket of Object.values(this.sockets) as WebSocket[]) dropWebSocket(socket)
    }
  }

  private async waitForExit(): Promise<ExitResult> {
    const operation = await this.parts.operationDone
    await Promise.all([this.stdout.ended, this.stderr?.ended])
    for (const socket of Object.values(this.sockets) as WebSocket[]) dropWebSocket(socket)

    const status = operation.metadata?.return
    if (typeof status === 'number') return { status }
    throw new GatewayError(
      ErrorCode.EXEC_FAILED,
      `exec ended without an exit status: ${operation.status} ${operation.err ?? ''}`.trim(),
      { userMessage: 'the command could not be run' },
    )
  }

  private sendControl(message: Record<string, unknown>): void {
    const control = this.sockets.control
    if (control.readyState !== control.OPEN) return
    control.send(JSON.stringify(message))
  }
}

function required(socket: WebSocket | undefined): WebSocket {
  if (!socket) throw new Error('exec websocket missing')
  return socket
}
