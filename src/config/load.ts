import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

import { ErrorCode, GatewayError } from '../errors'
import { validateConfig } from './validate'
import type { GatewayConfig } from './schema'

/** Command-line values; each one overrides the same key of the file. */
export interface ConfigOverrides {
  listen?: string
  hostKeys?: string
  authorizedKeys?: string
  backend?: string
  logLevel?: string
  metricsListen?: string
}

/** Reads the YAML file (if any), lays the flags over it and validates the result. */
export function loadConfig(file: string | undefined, overrides: ConfigOverrides): GatewayConfig {
  const raw = file ? readYaml(file) : {}
  const merged: Record<string, unknown> = { ...raw }

  if (overrides.listen !== undefined) merged.listen = overrides.listen
  if (overrides.hostKeys !== undefined) merged.hostKeys = overrides.hostKeys
  if (overrides.authorizedKeys !== undefined) merged.authorizedKeys = overrides.authorizedKeys
  if (overrides.logLevel !== undefined) merged.logLevel = overrides.logLevel
  if (overrides.backend !== undefined && isMapping(raw.backend ?? {})) {
    merged.backend = { ...(raw.backend as object | undefined), url: overrides.backend }
  }
  if (overrides.metricsListen !== undefined && isMapping(raw.metrics ?? {})) {
    merged.metrics = { ...(raw.metrics as object | undefined), listen: overrides.metricsListen }
  }
  return validateConfig(merged)
}

function isMapping(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readYaml(file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new GatewayError(ErrorCode.CONFIG_INVALID, `cannot read config file "${file}"`, {
      cause: err,
    })
  }

  try {
    const value: unknown = parse(text)
    if (value === null || value === undefined) return {}
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('the top level is not a mapping')
    }
    return value as Record<string, unknown>
  } catch (err) {
    // The YAML parser's message goes on with a drawing of the line; its first line names
    // the line and column, which is what fits the one-line report.
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]
      .replace(/:$/, '')
    throw new GatewayError(ErrorCode.CONFIG_INVALID, `${file}: ${reason}`, { cause: err })
  }
}
