import { parseArgs, USAGE } from './cli/args'
import { checkConfig } from './cli/check-config'
import type { CliArgs } from './cli/args'
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
    if (args.checkConfig) {
      reportCheck(checkConfig(config))
      return
    }
    log = createLogger(config.logLevel)
    guardProcess(log)

    const gateway = new Gateway(config, log)
    await gateway.start()
    stopOnSignals(gateway)
    reloadOnHangup(gateway, args, log)
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

/**
 * SIGHUP re-reads the config file and the key files, as sshd does. A file that does not
 * validate changes nothing: the gateway goes on with what it had, and says why at error level.
 */
function reloadOnHangup(gateway: Gateway, args: CliArgs, log: Logger): void {
  process.on('SIGHUP', () => {
    log.info({ event: 'config_reload_requested' }, 'SIGHUP: reloading the configuration')
    try {
      gateway.reload(loadConfig(args.configFile, args.overrides))
    } catch (err) {
      const code = isGatewayError(err) ? err.code : 'CONFIG_INVALID'
      const reason = err instanceof Error ? err.message : String(err)
      log.error({ err, event: 'config_reload_failed', code }, `reload refused: ${reason}`)
    }
  })
}

/** Silent on success, as `sshd -t`; warnings go to stderr without failing the check. */
function reportCheck(warnings: string[]): void {
  for (const warning of warnings) process.stderr.write(`execgate: warning: ${warning}\n`)
}

function reportStartupFailure(err: unknown, log: Logger | undefined): void {
  const code = isGatewayError(err) ? err.code : 'STARTUP_FAILED'
  const message = err instanceof Error ? err.message : String(err)
  if (log) log.fatal({ err, event: 'startup_failed', code }, message)
  process.stderr.write(`execgate: ${message}\n`)
  if (!log && !isGatewayError(err)) process.stderr.write(`${USAGE}\n`)
}
