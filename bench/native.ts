import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** Whether ssh2's optional native crypto binding and cpu-features are built and load. */
export interface NativeCheck {
  sshcrypto: string
  cpuFeatures: string
  ok: boolean
}

const BINDING = 'node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node'

/**
 * Without the binding ssh2 falls back to JavaScript chacha20-poly1305 and AES-GCM through
 * generic paths, which caps throughput; the figures only mean something with it loaded.
 */
export function checkNative(root: string): NativeCheck {
  const load = createRequire(join(root, 'package.json'))
  const sshcrypto = checkBinding(load, join(root, BINDING))
  const cpuFeatures = checkCpuFeatures(load)
  return { sshcrypto, cpuFeatures, ok: sshcrypto.startsWith('loaded') &&
    cpuFeatures.startsWith('loaded') }
}

function checkBinding(load: NodeRequire, path: string): string {
  if (!existsSync(path)) return `missing (${BINDING} not built)`
  try {
    const binding = load(path) as Record<string, unknown>
    return `loaded (${Object.keys(binding).filter((k) => /Cipher/.test(k)).join(', ')})`
  } catch (err) {
    return `fails to load: ${String(err)}`
  }
}

function checkCpuFeatures(load: NodeRequire): string {
  try {
    const features = (load('cpu-features') as () => { arch?: string,
      flags?: Record<string, boolean> })()
    const flags = ['aes', 'pclmulqdq', 'avx2', 'sse4_2'].filter((f) => features.flags?.[f])
    return `loaded (${features.arch ?? '?'}: ${flags.join(' ') || 'no AES flags'})`
  } catch (err) {
    return `fails to load: ${String(err)}`
  }
}
