import { expect } from 'chai'

import { commandLine } from '../../../../src/backend/lxd/command-line'
import { detectDialect } from '../../../../src/backend/lxd/dialect'
import type { ExecSpec } from '../../../../src/backend/types'

const OLD_LXD = detectDialect({ environment: { server: 'lxd', server_version: '5.0.2' } })
const NEW_LXD = detectDialect({ environment: { server: 'lxd', server_version: '5.0.3' } })
const INCUS = detectDialect({ environment: { server: 'incus', server_version: '6.0.4' } })
const TAIL = '\n__execgate_status=$?; sleep 0.1 2>/dev/null; exit $__execgate_status'

function spec(overrides: Partial<ExecSpec>): ExecSpec {
  return {
    instance: { name: 'c1' },
    shell: '/bin/bash',
    env: {},
    uid: 0,
    gid: 0,
    sessionTag: 'tag',
    ...overrides,
  }
}

describe('commandLine', () => {
  it('runs a script as shell -c script', () => {
    expect(commandLine(spec({ script: 'uname -a' }), INCUS))
      .to.deep.equal(['/bin/bash', '-c', 'uname -a'])
  })

  it('runs a login shell when there is no script', () => {
    expect(commandLine(spec({}), OLD_LXD)).to.deep.equal(['/bin/bash', '-l'])
  })

  it('passes the script as one argument, quotes, newlines and all', () => {
    const script = `echo 'a b' "c"\nprintf '%s\\n' x`
    expect(commandLine(spec({ script }), NEW_LXD)).to.deep.equal(['/bin/bash', '-c', script])
  })

  it('keeps an empty script as an empty -c argument', () => {
    expect(commandLine(spec({ script: '' }), INCUS)).to.deep.equal(['/bin/bash', '-c', ''])
  })

  it('adds the lingering tail under a terminal on LXD before 5.0.3', () => {
    const terminal = { cols: 80, rows: 24 }
    expect(commandLine(spec({ script: 'seq 3', terminal }), OLD_LXD))
      .to.deep.equal(['/bin/bash', '-c', `seq 3${TAIL}`])
  })

  it('adds no tail without a terminal, nor on daemons that keep the output', () => {
    const terminal = { cols: 80, rows: 24 }
    expect(commandLine(spec({ script: 'seq 3' }), OLD_LXD), 'no pty')
      .to.deep.equal(['/bin/bash', '-c', 'seq 3'])
    expect(commandLine(spec({ script: 'seq 3', terminal }), NEW_LXD), 'LXD 5.0.3')
      .to.deep.equal(['/bin/bash', '-c', 'seq 3'])
    expect(commandLine(spec({ script: 'seq 3', terminal }), INCUS), 'Incus')
      .to.deep.equal(['/bin/bash', '-c', 'seq 3'])
  })
})
