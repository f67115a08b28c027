import { expect } from 'chai'

import { parsePasswd } from '../../../src/backend/passwd'

describe('parsePasswd', () => {
  it('parses the seven fields of each line', () => {
    const text = [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'alice:x:1000:1001:Alice,,,:/home/alice:/bin/zsh',
      '',
    ].join('\n')
    expect(parsePasswd(text)).to.deep.equal([
      { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
      { name: 'daemon', uid: 1, gid: 1, home: '/usr/sbin', shell: '/usr/sbin/nologin' },
      { name: 'alice', uid: 1000, gid: 1001, home: '/home/alice', shell: '/bin/zsh' },
    ])
  })

  it('keeps an empty shell field empty for the caller to default', () => {
    expect(parsePasswd('bob:x:1002:1002::/home/bob:')).to.deep.equal([
      { name: 'bob', uid: 1002, gid: 1002, home: '/home/bob', shell: '' },
    ])
  })

  it('parses a file without a trailing newline', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/sh')).to.deep.equal([
      { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' },
    ])
  })

  it('returns nothing for empty text', () => {
    expect(parsePasswd('')).to.deep.equal([])
  })

  it('skips comment lines, even well-formed ones', () => {
    expect(parsePasswd('# comment\n#root:x:0:0:root:/root:/bin/sh\n')).to.deep.equal([])
  })

  it('skips lines with fewer or more than seven fields', () => {
    const text = [
      'short:x:1:1:/home/short:/bin/sh',
      'long:x:1:1:gecos:/home/long:/bin/sh:extra',
      '+alice',
      'ok:x:5:5::/home/ok:/bin/sh',
    ].join('\n')
    expect(parsePasswd(text)).to.deep.equal([
      { name: 'ok', uid: 5, gid: 5, home: '/home/ok', shell: '/bin/sh' },
    ])
  })

  it('skips lines whose uid or gid is not a non-negative whole number', () => {
    const text = [
      'neg:x:-1:1::/:/bin/sh',
      'word:x:abc:1::/:/bin/sh',
      'emptyuid:x::1::/:/bin/sh',
      'gid:x:1:1.5::/:/bin/sh',
      'space:x: 1:1::/:/bin/sh',
      '+::::::',
    ].join('\n')
    expect(parsePasswd(text)).to.deep.equal([])
  })

  it('keeps duplicate names in file order', () => {
    const text = 'dup:x:1:1::/a:/bin/sh\ndup:x:2:2::/b:/bin/bash\n'
    expect(parsePasswd(text)).to.deep.equal([
      { name: 'dup', uid: 1, gid: 1, home: '/a', shell: '/bin/sh' },
      { name: 'dup', uid: 2, gid: 2, home: '/b', shell: '/bin/bash' },
    ])
  })

  it('reads ids up to 4294967294 (nobody on some systems)', () => {
    expect(parsePasswd('big:x:4294967294:65534::/:/bin/false')).to.deep.equal([
      { name: 'big', uid: 4294967294, gid: 65534, home: '/', shell: '/bin/false' },
    ])
  })
})
