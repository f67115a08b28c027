import type { Options } from './types'

export const USAGE = `usage: npm run bench [-- --quick] [--daemon lxd|incus] [--rounds N] [--only IDS]

  --quick          smaller sizes and shorter runs; the whole bench stays under 2 minutes
  --daemon NAME    lxd (default) or incus: the daemon every path execs into
  --rounds N       interleaved rounds per case (default 2 quick, 3 full)
  --only IDS       comma-separated case ids: round-trip, download, upload, pty-download,
                   sftp, concurrency, conn-rate`

/** Parses the arguments after `npm run bench --`; throws on anything unknown. */
export function parseOptions(argv: string[]): Options {
  const options: Options = { quick: false, daemon: 'lxd', only: [], rounds: 0, help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') options.quick = true
    else if (arg === '--help' || arg === '-h') options.help = true
    else if (arg === '--daemon') options.daemon = parseDaemon(argv[++i])
    else if (arg === '--rounds') options.rounds = parseRounds(argv[++i])
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean)
    else throw new Error(`unknown argument ${arg}\n${USAGE}`)
  }
  if (options.rounds === 0) options.rounds = options.quick ? 2 : 3
  return options
}

function parseDaemon(value: string | undefined): 'lxd' | 'incus' {
  if (value === 'lxd' || value === 'incus') return value
  throw new Error(`--daemon takes lxd or incus, not ${value}`)
}

function parseRounds(value: string | undefined): number {
  const rounds = Number(value)
  if (Number.isInteger(rounds) && rounds >= 1 && rounds <= 20) return rounds
  throw new Error(`--rounds takes an integer from 1 to 20, not ${value}`)
}
