import { expect } from 'chai'

import { isLongPoll, requestRoute } from '../../../../src/backend/lxd/request-route'

describe('requestRoute', () => {
  it('replaces instance names and drops the query', () => {
    expect(requestRoute('/1.0/instances/web1/files?path=/etc/passwd&project=team'))
      .to.equal('/1.0/instances/:name/files')
    expect(requestRoute('/1.0/instances/c1')).to.equal('/1.0/instances/:name')
    expect(requestRoute('/1.0/instances/c1/exec?project=p')).to.equal('/1.0/instances/:name/exec')
  })

  it('replaces operation ids', () => {
    const id = '0c6b1a76-8a4e-4a4c-9d6f-58c2a1b4e0a1'
    expect(requestRoute(`/1.0/operations/${id}/wait`)).to.equal('/1.0/operations/:name/wait')
    expect(requestRoute(`/1.0/operations/${id}`)).to.equal('/1.0/operations/:name')
  })

  it('keeps the API words', () => {
    expect(requestRoute('/1.0')).to.equal('/1.0')
    expect(requestRoute('/1.0/operations?recursion=1')).to.equal('/1.0/operations')
  })

  it('gives an escaped name no label of its own', () => {
    expect(requestRoute('/1.0/instances/we%2Fb/state')).to.equal('/1.0/instances/:name/state')
  })

  it('tells a wait on an operation from a request', () => {
    expect(isLongPoll('/1.0/operations/:name/wait'), 'wait').to.equal(true)
    expect(isLongPoll('/1.0/instances/:name/exec'), 'exec').to.equal(false)
  })
})
