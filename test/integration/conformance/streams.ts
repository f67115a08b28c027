import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { sha256 } from '../../helpers/process'
import type { ConformanceSuite } from './suite'

const MIB = 1024 * 1024

/** stdin, stdout and stderr: separation, EOF, and byte-exact bulk transfer. */
export function describeStreams(suite: ConformanceSuite): void {
  describe('streams', () => {
    it('keeps stdout and stderr apart', async () => {
      const r = await suite.ssh('echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 5')
      expect(r.stdout.toString(), 'stdout').to.equal('out1\nout2\n')
      expect(r.stderr, 'stderr').to.equal('err1\nerr2\n')
      expect(r.code, 'exit status').to.equal(5)
    })

    it('delivers stdin and its EOF to the command', async () => {
      const r = await suite.ssh('cat', { stdin: Buffer.from('hi\n') })
      expect(r.stdout.toString(), 'stdout').to.equal('hi\n')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('delivers an empty stdin as EOF at once', async () => {
      const r = await suite.ssh('cat; echo eof', { stdin: Buffer.alloc(0) })
      expect(r.stdout.toString(), 'stdout').to.equal('eof\n')
      expect(r.code, 'exit status').to.equal(0)
    })

    it('echoes 1 MiB of random bytes back unchanged through cat', async () => {
      const input = randomBytes(MIB)
      const r = await suite.ssh('cat', { stdin: input })
      expect(r.stdoutBytes, 'stdout bytes').to.equal(MIB)
      expect(r.stdout.equals(input), 'stdout equals stdin').to.equal(true)
      expect(r.code, 'exit status').to.equal(0)
    })

    it('delivers the whole output of a command that exits at once', async () => {
      const expected = Array.from({ length: 20000 }, (_, i) => `${i + 1}\n`).join('')
      const r = await suite.ssh('seq 1 20000')
      expect(r.stdout.toString() === expected, 'stdout is seq 1 20000').to.equal(true)
      expect(r.code, 'exit status').to.equal(0)
    })

    it('carries 50 MiB of stdin byte-exact (sha256sum)', async function () {
      this.timeout(60000)
      await expectStdinHash(suite, 50 * MIB)
    })

    it('carries 200 MiB of stdin byte-exact (sha256sum)', async function () {
      this.timeout(180000)
      await expectStdinHash(suite, 200 * MIB)
    })

    it('delivers 200 MiB of stdout completely', async function () {
      this.timeout(180000)
      // busybox head takes no 200M suffix (only 200m); give the count in bytes.
      const command = `head -c ${200 * MIB} /dev/zero`
      const r = await suite.ssh(command, { keepStdout: false, timeoutMs: 170000 })
      expect(r.stdoutBytes, 'stdout bytes').to.equal(200 * MIB)
      expect(r.code, 'exit status').to.equal(0)
    })
  })
}

async function expectStdinHash(suite: ConformanceSuite, size: number): Promise<void> {
  const input = randomBytes(size)
  const r = await suite.ssh('sha256sum', { stdin: input, timeoutMs: 170000 })
  expect(r.stdout.toString().split(' ')[0], 'sha256 inside the container').to.equal(sha256(input))
  expect(r.code, 'exit status').to.equal(0)
}
