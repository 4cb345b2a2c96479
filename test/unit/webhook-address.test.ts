import { describe, expect, it } from 'vitest';
import { formatAllowedHost, nonPublicRange, parseAllowedHost, urlRefusal } from '../../src/webhooks/address.js';

describe('webhook addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.255.1.1', 'unspecified'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fdff::1', 'uniqueLocal'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::7f00:1', 'ipv4Compatible'],
    ['8.8.8.8', null],
    ['172.32.0.1', null],
    ['100.128.0.1', null],
    ['2606:4700::1111', null],
  ])('%s is %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each([
    ['pos.lan', 'pos.lan'],
    ['POS.Lan.', 'pos.lan'],
    ['pos.lan:8080', 'pos.lan:8080'],
    ['192.168.1.20', '192.168.1.20'],
    ['3232235796', '192.168.1.20'],
    ['[FD00:0::5]:443', '[fd00::5]:443'],
    ['[::ffff:10.0.0.5]', '10.0.0.5'],
    ['http://pos.lan', null],
    ['pos.lan/hooks', null],
    ['user@pos.lan', null],
    ['pos.lan:0', null],
    ['pos.lan:70000', null],
    ['pos lan', null],
    ['fd00::5', null],
    ['', null],
  ])('allow-list entry %j is stored as %j', (text, stored) => {
    const parsed = parseAllowedHost(text);
    expect(parsed && formatAllowedHost(parsed)).toBe(stored);
  });

  it('an allowed entry allows only its port when it names one', () => {
    const allow = [parseAllowedHost('192.168.1.20:8080')!, parseAllowedHost('pos.lan')!];
    expect(urlRefusal('http://192.168.1.20:8080/x', allow)).toBeNull();
    expect(urlRefusal('http://192.168.1.20/x', allow)).toBe('private');
    expect(urlRefusal('https://pos.lan/x', allow)).toBeNull();
    expect(urlRefusal('https://pos2.lan/x', allow)).toBeNull();
    expect(urlRefusal('https://pos.local/x', allow)).toBe('localName');
  });
});
