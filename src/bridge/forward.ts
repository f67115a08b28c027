import type { Readable, Writable } from 'node:stream'

/**
 * Copies `source` into `sink` like `pipe(sink, { end: false })`, but writes everything that
 * has arrived by the time the sink is written to as one chunk. A pty on LXD delivers output in
 * frames of a few KiB; written one by one, each became an SSH packet of its own, with its own
 * cipher call, random padding and socket write, and the gateway spent its time on those.
 * A sink that is behind stops the reading, so the source's own backpressure still holds.
 */
export function forwardCoalesced(
  source: Readable,
  sink: Writable,
  onChunk: (chunk: Buffer) => void,
): void {
  let waitingForDrain = false

  const copy = (): void => {
    if (waitingForDrain) return
    let chunk: Buffer | null
    while (!sink.destroyed && (chunk = source.read() as Buffer | null) !== null) {
      onChunk(chunk)
      if (!sink.write(chunk)) {
        waitingForDrain = true
        sink.once('drain', resume)
        return
      }
    }
  }

  const resume = (): void => {
    waitingForDrain = false
    copy()
  }

  source.on('readable', copy)
}
