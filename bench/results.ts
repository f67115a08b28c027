import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROJECT_ROOT } from './root'

/** Writes the whole run (every sample) as JSON under bench/results/; returns the path. */
export async function writeResults(name: string, data: unknown): Promise<string> {
  const dir = join(PROJECT_ROOT, 'bench', 'results')
  await mkdir(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const path = join(dir, `${name}-${stamp}.json`)
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`)
  return path
}
