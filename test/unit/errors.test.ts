import { expect } from 'chai'

import { ErrorCode, GatewayError, isGatewayError, userMessageOf } from '../../src/errors'

describe('GatewayError', () => {
  it('carries its code, message, name and cause', () => {
    const cause = new Error('ECONNREFUSED')
    const error = new GatewayError(ErrorCode.BACKEND_UNREACHABLE, 'cannot reach /x', { cause })
    expect(error).to.be.instanceOf(Error)
    expect(error.name).to.equal('GatewayError')
    expect(error.code).to.equal('BACKEND_UNREACHABLE')
    expect(error.message).to.equal('cannot reach /x')
    expect(error.cause).to.equal(cause)
  })

  it('tells the SSH user only "internal gateway error" unless given a user message', () => {
    const plain = new GatewayError(ErrorCode.EXEC_FAILED, 'lxd said: secret detail')
    const told = new GatewayError(ErrorCode.INSTANCE_NOT_FOUND, 'no web9 in project p', {
      userMessage: 'container "web9" not found',
    })
    expect(plain.userMessage, 'default').to.equal('internal gateway error')
    expect(told.userMessage, 'given').to.equal('container "web9" not found')
  })

  it('has one code per name', () => {
    for (const [name, value] of Object.entries(ErrorCode)) {
      expect(value, name).to.equal(name)
    }
  })
})

describe('userMessageOf', () => {
  it('returns a GatewayError\'s user message', () => {
    const error = new GatewayError(ErrorCode.INSTANCE_NOT_RUNNING, 'stopped', {
      userMessage: 'container is not running',
    })
    expect(userMessageOf(error)).to.equal('container is not running')
  })

  it('hides anything else behind "internal gateway error"', () => {
    expect(userMessageOf(new Error('/etc/shadow: EACCES')), 'Error').to.equal(
      'internal gateway error',
    )
    expect(userMessageOf('text'), 'string').to.equal('internal gateway error')
    expect(userMessageOf(undefined), 'undefined').to.equal('internal gateway error')
    expect(userMessageOf({ userMessage: 'forged' }), 'look-alike').to.equal(
      'internal gateway error',
    )
  })
})

describe('isGatewayError', () => {
  const error = new GatewayError(ErrorCode.EXEC_LOST, 'lost')

  it('recognizes a GatewayError with or without a code to match', () => {
    expect(isGatewayError(error), 'no code').to.equal(true)
    expect(isGatewayError(error, ErrorCode.EXEC_LOST), 'same code').to.equal(true)
    expect(isGatewayError(error, ErrorCode.EXEC_FAILED), 'other code').to.equal(false)
  })

  it('refuses other values', () => {
    expect(isGatewayError(new Error('x')), 'Error').to.equal(false)
    expect(isGatewayError({ code: 'EXEC_LOST' }, ErrorCode.EXEC_LOST), 'look-alike').to.equal(false)
    expect(isGatewayError(null), 'null').to.equal(false)
  })
})
