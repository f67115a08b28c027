import { resolve } from 'node:path'

/** The project root, seen from dist/bench where the compiled bench runs. */
export const PROJECT_ROOT = resolve(__dirname, '..', '..')
