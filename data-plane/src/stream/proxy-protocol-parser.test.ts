import { describe, expect, it } from 'vitest';
import { proxyProtocolHeader } from './proxy-protocol-header.js';
import { MAX_V1_HEADER, parseProxyProtocolHeader } from './proxy-protocol-parser.js';

const payload = Buffer.from('hello upstream');

describe('parseProxyProtocolHeader', () => {
  it('reads a v1 TCP4 header and gives its length, so the payload after it can be kept', () => {
    const buf = Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51000 443\r\n'), payload]);
    const parsed = parseProxyProtocolHeader(buf);
    expect(parsed).toEqual({
      kind: 'header',
      length: 43,
      addresses: { remoteAddress: '203.0.113.7', remotePort: 51000, localAddress: '10.0.0.1', localPort: 443 },
    });
    expect(buf.subarray(43)).toEqual(payload);
  });

  it('reads v1 TCP6 and UNKNOWN headers', () => {
    expect(parseProxyProtocolHeader(Buffer.from('PROXY TCP6 2001:db8::7 ::1 40000 8443\r\n'))).toMatchObject({
      kind: 'header',
      addresses: { remoteAddress: '2001:db8::7', localAddress: '::1', remotePort: 40000, localPort: 8443 },
    });
    expect(parseProxyProtocolHeader(Buffer.from('PROXY UNKNOWN\r\nx'))).toEqual({ kind: 'header', length: 15, addresses: undefined });
  });

  it('reads the v2 headers our own writer makes, IPv4 and IPv6', () => {
    const v4 = proxyProtocolHeader('v2', { remoteAddress: '198.51.100.9', remotePort: 12345, localAddress: '192.0.2.1', localPort: 9000 });
    expect(parseProxyProtocolHeader(Buffer.concat([v4, payload]))).toEqual({
      kind: 'header',
      length: v4.length,
      addresses: { remoteAddress: '198.51.100.9', remotePort: 12345, localAddress: '192.0.2.1', localPort: 9000 },
    });
    const v6 = proxyProtocolHeader('v2', { remoteAddress: '2001:db8:0:0:1::5', remotePort: 1, localAddress: 'fe80::1', localPort: 65535 });
    expect(parseProxyProtocolHeader(v6)).toEqual({
      kind: 'header',
      length: 52,
      addresses: { remoteAddress: '2001:db8::1:0:0:5', remotePort: 1, localAddress: 'fe80::1', localPort: 65535 },
    });
  });

  it('skips v2 TLVs and treats LOCAL (health checks) as "keep the socket address"', () => {
    const v4 = proxyProtocolHeader('v2', { remoteAddress: '198.51.100.9', remotePort: 1, localAddress: '192.0.2.1', localPort: 2 });
    const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]); // PP2_TYPE_NOOP, 3 bytes
    const withTlv = Buffer.concat([v4, tlv]);
    withTlv.writeUInt16BE(v4.readUInt16BE(14) + tlv.length, 14);
    expect(parseProxyProtocolHeader(Buffer.concat([withTlv, payload]))).toMatchObject({ kind: 'header', length: v4.length + tlv.length });
    const local = proxyProtocolHeader('v2', {});
    expect(parseProxyProtocolHeader(local)).toEqual({ kind: 'header', length: 16, addresses: undefined });
  });

  it('asks for more bytes at every split point of a header, then reads it whole', () => {
    for (const header of [
      Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 51000 443\r\n'),
      proxyProtocolHeader('v2', { remoteAddress: '2001:db8::7', remotePort: 5, localAddress: '::1', localPort: 6 }),
    ]) {
      for (let cut = 1; cut < header.length; cut++) expect(parseProxyProtocolHeader(header.subarray(0, cut)).kind).toBe('incomplete');
      expect(parseProxyProtocolHeader(header)).toMatchObject({ kind: 'header', length: header.length });
    }
  });

  it('refuses garbage, plain payloads and oversized or malformed headers', () => {
    const invalid = (b: Buffer | string) => parseProxyProtocolHeader(Buffer.isBuffer(b) ? b : Buffer.from(b)).kind;
    expect(invalid('GET / HTTP/1.1\r\n')).toBe('invalid');
    expect(invalid(Buffer.from([0x16, 0x03, 0x01]))).toBe('invalid'); // a TLS ClientHello
    expect(invalid('PROXY TCP4 1.2.3.4\r\n')).toBe('invalid');
    expect(invalid('PROXY TCP4 999.2.3.4 1.2.3.4 1 2\r\n')).toBe('invalid');
    expect(invalid('PROXY TCP4 1.2.3.4 1.2.3.4 1 70000\r\n')).toBe('invalid');
    expect(invalid('PROXY TCP4 ::1 ::1 1 2\r\n')).toBe('invalid');
    expect(invalid('PROXY ' + 'x'.repeat(MAX_V1_HEADER))).toBe('invalid');
    const v2 = proxyProtocolHeader('v2', { remoteAddress: '1.2.3.4', remotePort: 1, localAddress: '5.6.7.8', localPort: 2 });
    const badVersion = Buffer.from(v2);
    badVersion[12] = 0x11;
    expect(invalid(badVersion)).toBe('invalid');
    const huge = Buffer.from(v2);
    huge.writeUInt16BE(60_000, 14);
    expect(invalid(huge)).toBe('invalid');
    const short = Buffer.from(v2.subarray(0, 20));
    short.writeUInt16BE(4, 14); // claims IPv4 with only 4 address bytes
    expect(invalid(short)).toBe('invalid');
  });
});
