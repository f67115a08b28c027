/** A check that returns a value once the awaited condition holds, undefined before. */
export type Probe<T> = () => Promise<T | undefined> | T | undefined

/** Polls `probe` every `intervalMs` until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: Probe<T>,
  timeoutMs = 5000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`)
    await sleep(intervalMs)
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Settles like `promise`, or rejects naming `what` after `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}
