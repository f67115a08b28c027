import { join } from 'node:path'

import type { RecordedSession } from './types'

/**
 * Where a session's recording goes: `DIR/YYYY-MM-DD/YYYYMMDDTHHMMSSZ_CONTAINER_USER_ID.cast`,
 * in UTC. The day folders keep a busy gateway's folder listable; names sort by start time.
 * Colons are left out of the time because scp and rsync read `a:b` as a host and a path.
 */
export function recordingPath(dir: string, startedAt: Date, session: RecordedSession): string {
  const iso = startedAt.toISOString()
  const day = iso.slice(0, 10)
  const time = `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`
  const container = session.project ? `${session.container}.${session.project}` : session.container
  const parts = [time, safePart(container), safePart(session.user), safePart(session.sessionId)]
  return join(dir, day, `${parts.join('_')}.cast`)
}

/**
 * A user name comes from the client and could hold a slash or `..`; only a plain name may
 * become part of a path. Anything else becomes `-`, and the session id keeps names unique.
 */
function safePart(text: string): string {
  const plain = text.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64)
  return /^\.*$/.test(plain) ? '-' : plain
}
