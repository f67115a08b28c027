/** What differs between LXD releases and Incus for the calls the gateway makes. */
export interface Dialect {
  kind: 'lxd' | 'incus'
  version: string
  /**
   * Whether the daemon ends an exec's output about a second after the main process exits, even
   * while background processes still hold it (Incus, LXD >= 5.0.3 and >= 5.19). Older LXD keeps
   * the output, and so the exit status, open until the last holder is gone.
   */
  endsOutputAfterExit: boolean
  /**
   * Whether the daemon may drop the last output of an interactive exec whose process exits
   * quickly (LXD before 5.0.3: the reader is cancelled with data in hand).
   */
  losesTerminalTail: boolean
  /** Prefix of the file API's headers: X-LXD- or X-Incus-. */
  fileHeaderPrefix: string
}

export interface ServerInfo {
  environment?: { server?: string; server_version?: string }
}

export function detectDialect(info: ServerInfo): Dialect {
  const server = info.environment?.server ?? 'lxd'
  const version = info.environment?.server_version ?? '0'
  if (server === 'incus') {
    return {
      kind: 'incus',
      version,
      endsOutputAfterExit: true,
      losesTerminalTail: false,
      fileHeaderPrefix: 'X-Incus-',
    }
  }

  // Both come from one rewrite of the exec output reader (LXD PR #12229).
  const fixed = lxdHasNewExecReader(version)
  return {
    kind: 'lxd',
    version,
    endsOutputAfterExit: fixed,
    losesTerminalTail: !fixed,
    fileHeaderPrefix: 'X-LXD-',
  }
}

/** The new reader landed in 5.0.3 on the 5.0 LTS line and in 5.19 on the feature line. */
function lxdHasNewExecReader(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number(part) || 0)
  if (major !== 5) return major > 5
  if (minor === 0) return patch >= 3
  return minor >= 19
}
