import { num } from './format'
import type { CaseResult, Row } from './types'

const HEADER = ['case', 'execgate', 'reference', 'ratio', 'target', 'result']

/** The results table: one line per comparison, columns padded to line up. */
export function resultsTable(results: CaseResult[]): string {
  const rows = results.flatMap(rowsOf)
  const cells = [HEADER, ...rows.map((r) => [r.case, r.execgate, r.reference,
    r.ratio === undefined ? '-' : r.ratio.toFixed(2), r.target, r.result])]
  return aligned(cells)
}

// A case that failed outright still gets a line, so a missing figure is never silent.
function rowsOf(result: CaseResult): Row[] {
  // A star marks figures taken while the container was restarted under the case.
  const mark = result.disturbed ? ' *' : ''
  if (result.rows.length > 0) return result.rows.map((r) => ({ ...r, case: r.case + mark }))
  return [{ case: result.title, execgate: `${result.status}: ${result.error ?? '?'}`,
    reference: '-', ratio: undefined, target: '-', result: 'n/a' }]
}

/** Pads every column to its widest cell and joins with ` | `. */
export function aligned(cells: string[][]): string {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')
    .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-')
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n')
}

/** Median CPU seconds of each process, per variant, for the transfer cases. */
export function cpuTables(results: CaseResult[]): string {
  const cells = [['case', 'variant', 'client', 'gateway', 'sshd+children', 'daemon']]
  for (const result of results) {
    const table = result.details?.cpuSeconds as Record<string, Record<string, number>> | undefined
    if (!table) continue
    for (const [variant, cpu] of Object.entries(table)) {
      cells.push([result.title, variant, num(cpu.client), num(cpu.gateway), num(cpu.sshd),
        num(cpu.daemon)])
    }
  }
  return cells.length > 1 ? aligned(cells) : ''
}
