/** Path segments of the LXD/Incus API that are words of the API, not names or ids. */
const API_WORDS = new Set([
  '1.0', 'instances', 'operations', 'files', 'exec', 'sftp', 'state', 'wait', 'websocket',
  'logs', 'console', 'snapshots', 'metadata', 'events', 'resources', 'projects',
])

/**
 * A request path as a label of bounded size: the query goes, and every segment that is not a
 * word of the API (an instance name, an operation id) becomes `:name`.
 * `/1.0/instances/web1/files?path=/etc/passwd` becomes `/1.0/instances/:name/files`.
 */
export function requestRoute(path: string): string {
  const bare = path.split('?')[0]
  const segments = bare.split('/').map((segment) =>
    segment === '' || API_WORDS.has(segment) ? segment : ':name')
  return segments.join('/') || '/'
}

/** A wait on an operation lasts as long as the operation: its time is no daemon latency. */
export function isLongPoll(route: string): boolean {
  return route.endsWith('/wait')
}
