import { describe, expect, it } from '@jest/globals';
import { AddressPolicy } from './address-policy.js';

describe('webhook address policy', () => {
  const policy = new AddressPolicy();

  it.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of a link-local'],
    ['2002:7f00:1::1', '6to4 of a loopback'],
    ['::127.0.0.1', 'IPv4-compatible'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(policy.verdict(address)).toEqual({ allowed: false, kind });
  });

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.215.14', '64:ff9b::5db8:d70e', '2002:5db8:d70e::1'])('allows the public address %s', (address) => {
    expect(policy.verdict(address).allowed).toBe(true);
  });

  it('refuses what is not an address at all', () => {
    expect(policy.verdict('example.com')).toEqual({ allowed: false, kind: 'malformed' });
  });

  it('lets an operator allow-list single addresses and CIDR blocks, in either IPv4 notation', () => {
    const allowing = new AddressPolicy(['127.0.0.1', '10.20.0.0/16', 'fd00:1::/32']);
    expect(allowing.verdict('127.0.0.1').allowed).toBe(true);
    expect(allowing.verdict('::ffff:127.0.0.1').allowed).toBe(true);
    expect(allowing.verdict('127.0.0.2').allowed).toBe(false);
    expect(allowing.verdict('::1').allowed).toBe(false);
    expect(allowing.verdict('10.20.255.1').allowed).toBe(true);
    expect(allowing.verdict('10.21.0.1').allowed).toBe(false);
    expect(allowing.verdict('fd00:1:ffff::5').allowed).toBe(true);
    expect(allowing.verdict('fd00:2::5').allowed).toBe(false);
  });
});
