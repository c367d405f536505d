import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('real-ip', () => {
  const addressAfter = async (config: Record<string, unknown>, clientAddress: string, headers: Record<string, string>) =>
    (await exchange(chainFor({ 'real-ip': config }), makeContext({ clientAddress, headers }))).ctx.clientAddress;

  it('takes the last X-Forwarded-For address from a trusted proxy only', async () => {
    const config = { trusted: ['10.0.0.0/8'] };
    expect(await addressAfter(config, '10.1.1.1', { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' })).toBe('198.51.100.7');
    expect(await addressAfter(config, '192.0.2.1', { 'x-forwarded-for': '203.0.113.9' })).toBe('192.0.2.1');
    expect(await addressAfter(config, '10.1.1.1', {})).toBe('10.1.1.1');
  });

  it('walks past trusted addresses when recursive', async () => {
    const config = { trusted: ['10.0.0.0/8', '::1'], recursive: true };
    expect(await addressAfter(config, '::1', { 'x-forwarded-for': '203.0.113.9, 10.2.2.2, 10.3.3.3' })).toBe('203.0.113.9');
    expect(await addressAfter(config, '::1', { 'x-forwarded-for': '10.2.2.2' })).toBe('10.2.2.2');
  });

  it('reads another header and ignores garbage', async () => {
    expect(await addressAfter({ header: 'X-Real-IP', trusted: ['127.0.0.1'] }, '127.0.0.1', { 'x-real-ip': '2001:db8::5' })).toBe('2001:db8::5');
    expect(await addressAfter({ trusted: ['127.0.0.1'] }, '127.0.0.1', { 'x-forwarded-for': 'bogus' })).toBe('127.0.0.1');
    expect(await addressAfter({ trusted: ['127.0.0.1'] }, '127.0.0.1', { 'x-forwarded-for': '198.51.100.7:4567' })).toBe('198.51.100.7');
  });

  it('runs before ip-restriction, which then judges the real client', async () => {
    const chain = chainFor({ 'real-ip': { trusted: ['127.0.0.1'] }, 'ip-restriction': { whitelist: ['203.0.113.0/24'] } });
    expect((await exchange(chain, makeContext({ clientAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.5' } }))).status).toBe(200);
    expect((await exchange(chain, makeContext({ clientAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.5' } }))).status).toBe(403);
  });

  it('is rejected with a bad trusted range', () => {
    expect(() => chainFor({ 'real-ip': { trusted: ['10.0.0.0/99'] } })).toThrow(/trusted\/0/);
  });
});
