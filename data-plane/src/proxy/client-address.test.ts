import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';

describe('clientAddress', () => {
  it('unwraps IPv4-mapped IPv6 addresses and leaves the rest alone', () => {
    expect(clientAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress('::1')).toBe('::1');
    expect(clientAddress('::ffff:abcd')).toBe('::ffff:abcd');
    expect(clientAddress(undefined)).toBe('');
  });
});
