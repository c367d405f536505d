import { describe, expect, it } from 'vitest';
import { proxyProtocolHeader } from './proxy-protocol-header.js';

describe('proxyProtocolHeader', () => {
  it('writes a v1 line with both addresses and ports, unmapping IPv4-in-IPv6', () => {
    const conn = { remoteAddress: '::ffff:10.1.2.3', remotePort: 51000, localAddress: '127.0.0.1', localPort: 9000 };
    expect(proxyProtocolHeader('v1', conn).toString()).toBe('PROXY TCP4 10.1.2.3 127.0.0.1 51000 9000\r\n');
    expect(proxyProtocolHeader('v1', { remoteAddress: '::1', remotePort: 1, localAddress: '::1', localPort: 2 }).toString()).toBe('PROXY TCP6 ::1 ::1 1 2\r\n');
  });

  it('writes a v2 binary header for IPv4', () => {
    const h = proxyProtocolHeader('v2', { remoteAddress: '10.0.0.1', remotePort: 0x1234, localAddress: '10.0.0.2', localPort: 443 });
    expect(h.subarray(0, 12).toString('hex')).toBe('0d0a0d0a000d0a515549540a');
    expect([h[12], h[13], h.readUInt16BE(14)]).toEqual([0x21, 0x11, 12]);
    expect([...h.subarray(16, 24)]).toEqual([10, 0, 0, 1, 10, 0, 0, 2]);
    expect([h.readUInt16BE(24), h.readUInt16BE(26)]).toEqual([0x1234, 443]);
    expect(h.length).toBe(28);
  });

  it('writes a v2 header for IPv6 and a LOCAL header when addresses are unknown', () => {
    const h = proxyProtocolHeader('v2', { remoteAddress: '2001:db8::7', remotePort: 1, localAddress: '::1', localPort: 2 });
    expect([h[13], h.readUInt16BE(14), h.length]).toEqual([0x21, 36, 52]);
    expect(h.subarray(16, 32).toString('hex')).toBe('20010db8000000000000000000000007');
    expect(h.subarray(32, 48).toString('hex')).toBe('00000000000000000000000000000001');
    expect(proxyProtocolHeader('v2', {})[12]).toBe(0x20);
    expect(proxyProtocolHeader('v1', {}).toString()).toBe('PROXY UNKNOWN\r\n');
  });
});
