import { shortError } from './format'
import type { CaseResult, GatewayLog } from './types'

/** Everything that went wrong on execgate's side: failed samples and its own complaints. */
export function gatewayProblems(results: CaseResult[], logs: GatewayLog[]): string[] {
  const lines: string[] = []
  for (const result of results) {
    if (result.status !== 'ok') lines.push(`${result.title}: ${result.status}: ${result.error}`)
    if (result.disturbed) lines.push(`${result.title}: ${result.disturbed}`)
    const failed = result.samples.filter((s) => !s.ok && s.variant.startsWith('execgate'))
    if (failed.length > 0) {
      lines.push(`${result.title}: ${failed.length} failed execgate sample(s), first: ` +
        `${failed[0].error}`)
    }
  }
  for (const log of logs) lines.push(...logLines(log))
  return lines
}

function logLines(log: GatewayLog): string[] {
  const lines: string[] = []
  const byEvent = new Map<string, { count: number, example: Record<string, unknown> }>()
  for (const warning of log.warnings) {
    const event = String(warning.event ?? warning.msg)
    const seen = byEvent.get(event)
    if (seen) seen.count++
    else byEvent.set(event, { count: 1, example: warning })
  }
  for (const [event, { count, example }] of byEvent) {
    const err = example.err as { message?: string } | undefined
    const detail = shortError(String(err?.message ?? example.msg ?? ''), 140)
    lines.push(`gateway logged ${count} x ${event} (level ${example.level}): ${detail}`)
  }
  if (log.stderr.length > 0) lines.push(`gateway stderr: ${shortError(log.stderr.join(' | '))}`)
  return lines
}
