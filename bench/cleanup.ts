/** Undo steps registered as things are started, run newest first, once. */
const steps: { name: string, run: () => Promise<void> | void }[] = []
let running: Promise<void> | undefined

/** Registers an undo step; it runs at the end, on failure and on Ctrl-C. */
export function onCleanup(name: string, run: () => Promise<void> | void): void {
  steps.push({ name, run })
}

/** Runs every registered step, newest first; a failing step never stops the others. */
export function cleanup(): Promise<void> {
  running ??= runSteps()
  return running
}

async function runSteps(): Promise<void> {
  while (steps.length > 0) {
    const step = steps.pop()!
    try {
      await step.run()
    } catch (err) {
      process.stderr.write(`bench: cleanup ${step.name} failed: ${String(err)}\n`)
    }
  }
}

/** Ctrl-C, a closed terminal or a kill still stop what the bench started. */
export function cleanupOnSignals(): void {
  const handle = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\nbench: ${signal}, cleaning up\n`)
    void cleanup().finally(() => process.exit(code))
  }
  process.once('SIGINT', () => handle('SIGINT', 130))
  process.once('SIGTERM', () => handle('SIGTERM', 143))
  process.once('SIGHUP', () => handle('SIGHUP', 129))
}
