import type { ConfigOverrides } from '../config/load'

export interface CliArgs {
  configFile?: string
  overrides: ConfigOverrides
  help: boolean
  /** Validate the configuration and the files it names, then exit, as `sshd -t` does. */
  checkConfig: boolean
}

export const USAGE = `usage: execgate [--config FILE] [--listen HOST:PORT] [--host-keys DIR]
                [--authorized-keys FILE] [--backend SOCKET_PATH|https://HOST:PORT]
                [--log-level LEVEL] [--metrics-listen HOST:PORT] [--check-config]`

const VALUE_FLAGS: Record<string, keyof ConfigOverrides | 'config'> = {
  '--config': 'config',
  '--listen': 'listen',
  '--host-keys': 'hostKeys',
  '--authorized-keys': 'authorizedKeys',
  '--backend': 'backend',
  '--log-level': 'logLevel',
  '--metrics-listen': 'metricsListen',
}

/** Parses `--flag value` and `--flag=value`; throws on anything else, naming it. */
export function parseArgs(argv: string[]): CliArgs {
  const result: CliArgs = { overrides: {}, help: false, checkConfig: false }

  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]
    if (arg === '--help' || arg === '-h') {
      result.help = true
      continue
    }
    if (arg === '--check-config') {
      result.checkConfig = true
      continue
    }

    const [flag, inline] = arg.includes('=') ? splitOnce(arg) : [arg, undefined]
    if (!Object.hasOwn(VALUE_FLAGS, flag)) throw new Error(`unknown argument "${arg}"`)
    const target = VALUE_FLAGS[flag]

    const value = inline ?? argv[++index]
    if (value === undefined || value === '') throw new Error(`${flag} needs a value`)
    if (target === 'config') result.configFile = value
    else result.overrides[target] = value
  }
  return result
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=')
  return [arg.slice(0, at), arg.slice(at + 1)]
}
