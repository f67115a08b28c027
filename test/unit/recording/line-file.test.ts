import { expect } from 'chai'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { LineFile } from '../../../src/recording/line-file'
import { collectingLogger, eventsOf } from './log-lines'

describe('LineFile', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'execgate-line-file-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('makes its folder 0700 and its file 0600', async () => {
    const path = join(dir, 'rec', '2026-12-04', 'a.cast')
    const file = new LineFile(path, collectingLogger().log)
    file.write('one\n')
    await file.close()
    expect((await stat(join(dir, 'rec'))).mode & 0o777, 'top folder').to.equal(0o700)
    expect((await stat(join(dir, 'rec', '2026-12-04'))).mode & 0o777, 'day').to.equal(0o700)
    expect((await stat(path)).mode & 0o777, 'file').to.equal(0o600)
  })

  it('keeps the lines written before the file was open, in order', async () => {
    const path = join(dir, 'a.cast')
    const file = new LineFile(path, collectingLogger().log)
    for (let i = 0; i < 100; i++) file.write(`${i}\n`)
    await new Promise((resolve) => setTimeout(resolve, 20))
    file.write('last\n')
    await file.close()
    const expected = [...Array.from({ length: 100 }, (_, i) => String(i)), 'last']
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).to.deep.equal(expected)
  })

  it('never overwrites an existing file: it logs one warning and stops', async () => {
    const path = join(dir, 'a.cast')
    await writeFile(path, 'earlier\n')
    const { log, lines } = collectingLogger()
    const file = new LineFile(path, log)
    file.write('one\n')
    await file.whenClosed
    file.write('two\n')
    expect(await readFile(path, 'utf8')).to.equal('earlier\n')
    expect(file.isOpen, 'open').to.equal(false)
    expect(eventsOf(lines)).to.deep.equal(['recording_failed'])
    expect(lines[0].code).to.equal('RECORDING_WRITE_FAILED')
    expect(lines[0].level, 'warn').to.equal(40)
  })

  it('fails the same way when its folder cannot be made', async () => {
    await writeFile(join(dir, 'plain'), '')
    const { log, lines } = collectingLogger()
    const file = new LineFile(join(dir, 'plain', 'day', 'a.cast'), log)
    file.write('one\n')
    await file.close()
    await file.whenClosed
    expect(lines.map((line) => line.code)).to.deep.equal(['RECORDING_WRITE_FAILED'])
  })

  it('logs abandon() as a warning with its code, once, and closes', async () => {
    const { log, lines } = collectingLogger()
    const file = new LineFile(join(dir, 'a.cast'), log)
    file.write('one\n')
    file.abandon('RECORDING_CAP_REACHED', { maxBytes: 4096 })
    file.abandon('RECORDING_CAP_REACHED', { maxBytes: 4096 })
    await file.whenClosed
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ event: 'recording_stopped', code: 'RECORDING_CAP_REACHED' })
    expect(await readFile(join(dir, 'a.cast'), 'utf8')).to.equal('one\n')
  })
})
