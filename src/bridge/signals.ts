/**
 * Signal names as RFC 4254 §6.9 writes them (no "SIG" prefix), with their Linux numbers: the
 * containers run on Linux whatever the client's platform. The thirteen RFC names come first;
 * the rest are the other standard Linux signals, which library clients can also send.
 */
const LINUX_SIGNALS: Record<string, number> = {
  ABRT: 6,
  ALRM: 14,
  FPE: 8,
  HUP: 1,
  ILL: 4,
  INT: 2,
  KILL: 9,
  PIPE: 13,
  QUIT: 3,
  SEGV: 11,
  TERM: 15,
  USR1: 10,
  USR2: 12,
  TRAP: 5,
  BUS: 7,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
}

const NAMES_BY_NUMBER = new Map(Object.entries(LINUX_SIGNALS).map(([name, n]) => [n, name]))

/** The number for an SSH signal name, tolerating a "SIG" prefix; undefined when unknown. */
export function signalNumber(name: string): number | undefined {
  const bare = name.toUpperCase().replace(/^SIG/, '')
  return Object.hasOwn(LINUX_SIGNALS, bare) ? LINUX_SIGNALS[bare] : undefined
}

/** The SSH name for a signal number, for exit-signal; undefined when it has none. */
export function signalName(signo: number): string | undefined {
  return NAMES_BY_NUMBER.get(signo)
}
