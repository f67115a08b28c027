import { isLongPoll } from './request-route'
import type { BackendObserver } from '../../metrics/observer'
import type { DaemonHttp } from './http'

/**
 * Reports each REST call of `http` to the observer. A call without an answer, or with a 5xx,
 * is a failure; a 4xx is the daemon's answer to a wrong name or a missing file, which the
 * gateway asks about in its normal course, so it counts as an answered request.
 */
export function observeRequests(
  http: DaemonHttp,
  observer: BackendObserver,
  daemon: string,
): void {
  http.listen(({ method, route, durationSeconds, statusCode }) => {
    if (statusCode === 0) return observer.requestFailed(daemon, 'unreachable')
    if (statusCode >= 500) observer.requestFailed(daemon, 'server_error')
    if (!isLongPoll(route)) observer.requestFinished({ daemon, method, route, durationSeconds })
  })
}
