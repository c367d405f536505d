import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseSubjectAltNames, subjectAltNameCheck } from './subject-alt-names.js';

const cert = (subjectaltname: string, CN = 'abc.example.com') => ({ subject: { CN }, subjectaltname }) as unknown as PeerCertificate;

describe('parseSubjectAltNames', () => {
  it('reads node:tls subjectaltname text, quoted values included', () => {
    expect(parseSubjectAltNames('DNS:abc.example.com, URI:spiffe://abc.example.com/id, IP Address:127.0.0.1')).toEqual([
      { type: 'DNS', value: 'abc.example.com' },
      { type: 'URI', value: 'spiffe://abc.example.com/id' },
      { type: 'IP Address', value: '127.0.0.1' },
    ]);
    expect(parseSubjectAltNames('URI:"spiffe://a/b, c", DNS:x.test')).toEqual([
      { type: 'URI', value: 'spiffe://a/b, c' },
      { type: 'DNS', value: 'x.test' },
    ]);
    expect(parseSubjectAltNames('')).toEqual([]);
  });
});

describe('subjectAltNameCheck', () => {
  const sans = 'DNS:abc.example.com, URI:spiffe://abc.example.com/test-identity, DNS:*.wild.example.com';

  it('accepts a certificate carrying one of the wanted names, whatever the server name', () => {
    expect(subjectAltNameCheck([{ type: 'Hostname', value: 'abc.example.com' }])('unrelated.test', cert(sans))).toBeUndefined();
    expect(subjectAltNameCheck([{ type: 'Hostname', value: 'ABC.example.com' }])('x', cert(sans))).toBeUndefined();
    expect(subjectAltNameCheck([{ type: 'URI', value: 'spiffe://abc.example.com/test-identity' }])('x', cert(sans))).toBeUndefined();
    expect(subjectAltNameCheck([{ type: 'Hostname', value: 'a.wild.example.com' }])('x', cert(sans))).toBeUndefined();
    // Any one of several is enough.
    expect(
      subjectAltNameCheck([
        { type: 'URI', value: 'spiffe://other/x' },
        { type: 'Hostname', value: 'abc.example.com' },
      ])('x', cert(sans)),
    ).toBeUndefined();
  });

  it('refuses a certificate carrying none of them', () => {
    const refused = (wanted: Parameters<typeof subjectAltNameCheck>[0], c = cert(sans)) => subjectAltNameCheck(wanted)('abc.example.com', c);
    expect(refused([{ type: 'Hostname', value: 'dce.example.com' }])?.message).toMatch(/matches none of the subject alternative names dce.example.com/);
    expect(refused([{ type: 'URI', value: 'spiffe://def.example.com/test-identity' }])).toBeInstanceOf(Error);
    // A wildcard covers one label only; a URI must match exactly, not as a hostname.
    expect(refused([{ type: 'Hostname', value: 'a.b.wild.example.com' }])).toBeInstanceOf(Error);
    expect(refused([{ type: 'Hostname', value: 'spiffe://abc.example.com/test-identity' }])).toBeInstanceOf(Error);
    expect(refused([{ type: 'URI', value: 'abc.example.com' }])).toBeInstanceOf(Error);
    // Never the subject CN: a certificate without DNS names matches no Hostname.
    expect(refused([{ type: 'Hostname', value: 'abc.example.com' }], cert('URI:spiffe://x/y'))).toBeInstanceOf(Error);
    expect(refused([{ type: 'Hostname', value: 'abc.example.com' }], cert(''))).toBeInstanceOf(Error);
  });
});
