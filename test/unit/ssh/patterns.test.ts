import { expect } from 'chai'

import { matchesAddressList } from '../../../src/ssh/patterns'
import { matchesGlob } from '../../../src/util/glob'

describe('matchesGlob', () => {
  it('lets * stand for any run of characters, the empty one included', () => {
    expect(matchesGlob('web-*', 'web-1')).to.equal(true)
    expect(matchesGlob('web-*', 'web-')).to.equal(true)
    expect(matchesGlob('*', '')).to.equal(true)
    expect(matchesGlob('*-db', 'prod-eu-db')).to.equal(true)
    expect(matchesGlob('web-*', 'db-1')).to.equal(false)
  })

  it('lets ? stand for exactly one character', () => {
    expect(matchesGlob('web?', 'web1')).to.equal(true)
    expect(matchesGlob('web?', 'web')).to.equal(false)
    expect(matchesGlob('web?', 'web12')).to.equal(false)
    expect(matchesGlob('??', 'ab')).to.equal(true)
  })

  it('matches the whole text, not a part of it', () => {
    expect(matchesGlob('web', 'web1')).to.equal(false)
    expect(matchesGlob('web', 'xweb')).to.equal(false)
    expect(matchesGlob('web*', 'xweb1')).to.equal(false)
  })

  it('takes regular expression characters literally', () => {
    expect(matchesGlob('10.0.0.1', '10.0.0.1')).to.equal(true)
    expect(matchesGlob('10.0.0.1', '10a0b0c1')).to.equal(false)
    expect(matchesGlob('a+', 'aa')).to.equal(false)
    expect(matchesGlob('(a|b)', 'a')).to.equal(false)
    expect(matchesGlob('(a|b)', '(a|b)')).to.equal(true)
    expect(matchesGlob('[ab]', 'a')).to.equal(false)
    expect(matchesGlob('^a$', '^a$')).to.equal(true)
    expect(matchesGlob('a\\', 'a\\')).to.equal(true)
  })

  it('is case sensitive, as container and user names are', () => {
    expect(matchesGlob('Web*', 'web1')).to.equal(false)
  })

  it('lets * cross a newline, so a name cannot slip past with one', () => {
    expect(matchesGlob('web*', 'web\n1')).to.equal(true)
    expect(matchesGlob('web?1', 'web\n1')).to.equal(true)
  })
})

describe('matchesAddressList', () => {
  describe('globs', () => {
    it('matches an exact address and nothing else', () => {
      expect(matchesAddressList(['192.0.2.7'], '192.0.2.7')).to.equal(true)
      expect(matchesAddressList(['192.0.2.7'], '192.0.2.70')).to.equal(false)
    })

    it('matches globs over IPv4 and IPv6 addresses', () => {
      expect(matchesAddressList(['192.0.2.*'], '192.0.2.200')).to.equal(true)
      expect(matchesAddressList(['192.0.2.*'], '192.0.3.1')).to.equal(false)
      expect(matchesAddressList(['10.0.0.?'], '10.0.0.9')).to.equal(true)
      expect(matchesAddressList(['10.0.0.?'], '10.0.0.19')).to.equal(false)
      expect(matchesAddressList(['2001:db8::*'], '2001:db8::1')).to.equal(true)
    })

    it('needs one pattern of the list to match', () => {
      const list = ['192.0.2.1', '198.51.100.*']
      expect(matchesAddressList(list, '198.51.100.3')).to.equal(true)
      expect(matchesAddressList(list, '192.0.2.1')).to.equal(true)
      expect(matchesAddressList(list, '203.0.113.1')).to.equal(false)
    })

    it('matches nothing with an empty list', () => {
      expect(matchesAddressList([], '192.0.2.1')).to.equal(false)
    })
  })

  describe('negation', () => {
    it('refuses an address a negated pattern matches, wherever it stands in the list', () => {
      expect(matchesAddressList(['10.0.0.*', '!10.0.0.5'], '10.0.0.5')).to.equal(false)
      expect(matchesAddressList(['!10.0.0.5', '10.0.0.*'], '10.0.0.5')).to.equal(false)
      expect(matchesAddressList(['10.0.0.*', '!10.0.0.5'], '10.0.0.6')).to.equal(true)
    })

    it('does not let a negated pattern alone admit the addresses it does not name', () => {
      expect(matchesAddressList(['!10.0.0.5'], '192.0.2.1')).to.equal(false)
      expect(matchesAddressList(['!10.0.0.5'], '10.0.0.5')).to.equal(false)
    })

    it('negates CIDR blocks too', () => {
      const list = ['10.0.0.0/8', '!10.1.0.0/16']
      expect(matchesAddressList(list, '10.2.3.4')).to.equal(true)
      expect(matchesAddressList(list, '10.1.3.4')).to.equal(false)
    })
  })

  describe('IPv4 CIDR blocks', () => {
    it('matches the addresses inside the block only', () => {
      expect(matchesAddressList(['10.0.0.0/8'], '10.255.1.2')).to.equal(true)
      expect(matchesAddressList(['10.0.0.0/8'], '11.0.0.1')).to.equal(false)
    })

    it('honours a prefix that does not end on an octet', () => {
      const block = ['192.168.0.0/23']
      expect(matchesAddressList(block, '192.168.0.0')).to.equal(true)
      expect(matchesAddressList(block, '192.168.1.255')).to.equal(true)
      expect(matchesAddressList(block, '192.168.2.0')).to.equal(false)
      expect(matchesAddressList(block, '192.167.255.255')).to.equal(false)
    })

    it('matches one address with /32 and every IPv4 address with /0', () => {
      expect(matchesAddressList(['192.0.2.7/32'], '192.0.2.7')).to.equal(true)
      expect(matchesAddressList(['192.0.2.7/32'], '192.0.2.6')).to.equal(false)
      expect(matchesAddressList(['0.0.0.0/0'], '203.0.113.9')).to.equal(true)
      expect(matchesAddressList(['0.0.0.0/0'], '2001:db8::1')).to.equal(false)
    })
  })

  describe('IPv6 CIDR blocks', () => {
    it('matches the addresses inside the block only', () => {
      expect(matchesAddressList(['2001:db8::/32'], '2001:db8:1::5')).to.equal(true)
      expect(matchesAddressList(['2001:db8::/32'], '2001:db9::1')).to.equal(false)
    })

    it('honours a prefix that does not end on a group', () => {
      expect(matchesAddressList(['fe80::/10'], 'fe80::1')).to.equal(true)
      expect(matchesAddressList(['fe80::/10'], 'febf:ffff::1')).to.equal(true)
      expect(matchesAddressList(['fe80::/10'], 'fec0::1')).to.equal(false)
    })

    it('reads :: in the middle, at the end and alone', () => {
      expect(matchesAddressList(['2001:db8:0:1::/64'], '2001:db8::1:0:0:0:9')).to.equal(true)
      expect(matchesAddressList(['2001:db8::/128'], '2001:db8:0:0:0:0:0:0')).to.equal(true)
      expect(matchesAddressList(['::1/128'], '::1')).to.equal(true)
      expect(matchesAddressList(['::1/128'], '::2')).to.equal(false)
      expect(matchesAddressList(['::/0'], '2001:db8::1')).to.equal(true)
    })

    it('reads hex digits in either case', () => {
      expect(matchesAddressList(['2001:DB8::/32'], '2001:db8::abcd')).to.equal(true)
    })

    it('never matches an IPv4 address', () => {
      expect(matchesAddressList(['::/0'], '192.0.2.1')).to.equal(false)
    })
  })

  describe('IPv4-mapped IPv6 addresses, as a dual-stack socket reports IPv4 clients', () => {
    it('matches IPv4 addresses, globs and blocks', () => {
      expect(matchesAddressList(['127.0.0.1'], '::ffff:127.0.0.1')).to.equal(true)
      expect(matchesAddressList(['127.0.0.*'], '::ffff:127.0.0.1')).to.equal(true)
      expect(matchesAddressList(['127.0.0.0/8'], '::ffff:127.0.0.1')).to.equal(true)
      expect(matchesAddressList(['10.0.0.0/8'], '::ffff:127.0.0.1')).to.equal(false)
    })

    it('is refused by a negated IPv4 pattern', () => {
      expect(matchesAddressList(['*', '!127.0.0.1'], '::ffff:127.0.0.1')).to.equal(false)
      expect(matchesAddressList(['*', '!127.0.0.0/8'], '::ffff:127.0.0.1')).to.equal(false)
    })

    it('leaves other IPv6 addresses that end in a dotted quad alone', () => {
      expect(matchesAddressList(['127.0.0.1'], '64:ff9b::127.0.0.1')).to.equal(false)
    })
  })

  describe('malformed CIDR blocks', () => {
    it('match no address', () => {
      for (const block of ['10.0.0.0/33', '10.0.0.0/abc', '10.0.0.0/-1', '2001:db8::/129',
        'web/8', '/8', '10.0.0.0/8/8']) {
        expect(matchesAddressList([block], '10.0.0.1'), block).to.equal(false)
      }
    })

    it('do not read an empty or non-decimal prefix length as a number', () => {
      for (const block of ['10.0.0.0/', '10.0.0.0/ ', '10.0.0.0/0x8', '10.0.0.0/1e1']) {
        expect(matchesAddressList([block], '192.0.2.1'), block).to.equal(false)
        expect(matchesAddressList([block], '10.0.0.1'), block).to.equal(false)
      }
    })

    it('refuse every address even when negated, so a typo never widens a list', () => {
      expect(matchesAddressList(['*', '!10.0.0.0/33'], '10.0.0.1')).to.equal(false)
      expect(matchesAddressList(['*', '!10.0.0.0/'], '192.0.2.1')).to.equal(false)
    })
  })
})
