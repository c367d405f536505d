import { describe, expect, it } from 'vitest';
import { compileRemoteAllowList } from './remote-allow-list.js';

describe('compileRemoteAllowList', () => {
  it('allows everyone when the list is empty or missing', () => {
    expect(compileRemoteAllowList(undefined)('1.2.3.4')).toBe(true);
    expect(compileRemoteAllowList([])('::1')).toBe(true);
  });

  it('matches IPs and CIDRs of both families, IPv4-mapped clients as IPv4', () => {
    const allows = compileRemoteAllowList(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);
    expect(allows('10.200.3.4')).toBe(true);
    expect(allows('::ffff:10.1.1.1')).toBe(true);
    expect(allows('192.168.1.7')).toBe(true);
    expect(allows('192.168.1.8')).toBe(false);
    expect(allows('2001:db8:1::5')).toBe(true);
    expect(allows('2001:db9::5')).toBe(false);
    expect(allows(undefined)).toBe(false);
    expect(allows('garbage')).toBe(false);
  });

  it('throws on an entry that is not an address, naming it', () => {
    expect(() => compileRemoteAllowList(['10.0.0.0/8', 'nope'])).toThrow(/"nope"/);
    expect(() => compileRemoteAllowList(['10.0.0.0/99'])).toThrow(/10.0.0.0\/99/);
  });
});
