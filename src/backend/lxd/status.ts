import { instancePath } from './paths'
import type { DaemonHttp } from './http'
import type { InstanceRef } from '../types'

/**
 * The instance's status ("Running", "Stopped", "Frozen", ...) from its record. Not from
 * /state: that reads the live process, and Incus answers it with a 500 while the instance stops.
 */
export async function instanceStatus(http: DaemonHttp, instance: InstanceRef): Promise<string> {
  const record = await http.json<{ status: string }>('GET', instancePath(instance))
  return record.metadata.status
}
