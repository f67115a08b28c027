import type { InstanceRef } from '../types'

/** /1.0/instances/NAME[/SUFFIX][?project=P] with the parts escaped. */
export function instancePath(instance: InstanceRef, suffix?: string, query = ''): string {
  const base = `/1.0/instances/${encodeURIComponent(instance.name)}`
  const path = suffix ? `${base}/${suffix}` : base
  const params = new URLSearchParams(query)
  if (instance.project) params.set('project', instance.project)
  const search = params.toString()
  return search ? `${path}?${search}` : path
}
