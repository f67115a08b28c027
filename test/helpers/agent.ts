import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { start } from './process'
import { waitFor } from './wait'

/** An empty ssh-agent of the test's own, so that `ssh -A` really asks for forwarding. */
export interface Agent {
  socket: string
  stop(): Promise<void>
}

/** Starts `ssh-agent -D` with its socket in `dir`; resolves once the socket exists. */
export async function startAgent(dir: string): Promise<Agent> {
  const socket = join(dir, 'agent.sock')
  const agent = start('ssh-agent', ['-D', '-a', socket], { timeoutMs: 120000 })
  const stop = async () => {
    agent.child.kill('SIGTERM')
    await agent.done
  }
  const listening = async () => ((await stat(socket).catch(() => undefined)) ? true : undefined)
  await waitFor(`ssh-agent socket ${socket}`, listening, 5000, 50).catch(async (err: Error) => {
    await stop()
    throw err
  })
  return { socket, stop }
}
