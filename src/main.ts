import { parseArgs, USAGE } from './cli/args'
import { loadConfig } from './config/load'
import { isGatewayError } from './errors'
import { Gateway } from './gateway'
import { createLogger } from './log/logger'
import type { Logger } from './log/logger'

/** Entry point of bin/execgate; returns the process exit code for start-up failures. */
export async function main(argv: string[]): Promise<void> {
  let log: Logger | undefined
  try {
    const args = parseArgs(argv)
    if (args.help) {
      process.stdout.write(`${USAGE}\n`)
      return
    }

    const config = loadConfig(args.configFile, args.overrides)
    log = createLogger(config.logLevel)
    guardProcess(log)

    const gateway = new Gateway(config, log)
    await gateway.start()
    stopOnSignals(gateway)
  } catch (err) {
    reportStartupFailure(err, log)
    process.exitCode = 1
  }
}

/** A failure in one session must never end the process: log it and keep serving. */
function guardProcess(log: Logger): void {
  process.on('uncaughtException', (err) => {
    log.error({ err, event: 'uncaught_exception' }, 'uncaught exception')
  })
  process.on('unhandledRejection', (err) => {
    log.error({ err, event: 'unhandled_rejection' }, 'unhandled rejection')
  })
}

function stopOnSignals(gateway: Gateway): void {
  const stop = () => {
    gateway.stop().then(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

function reportStartupFailure(err: unknown, log: Logger | undefined): void {
  const code = isGatewayError(err) ? err.code : 'STARTUP_FAILED'
  const message = err instanceof Error ? err.message : String(err)
  if (log) log.fatal({ err, event: 'startup_failed', code }, message)
  process.stderr.write(`execgate: ${message}\n`)
  if (!log && !isGatewayError(err)) process.stderr.write(`${USAGE}\n`)
}
