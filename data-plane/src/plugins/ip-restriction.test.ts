import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('ip-restriction', () => {
  it('lets only the whitelist through, IPv4 and IPv6, mapped IPv4 as IPv4', async () => {
    const chain = chainFor({ 'ip-restriction': { whitelist: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::ffff:172.16.0.0/108'] } });
    const status = async (clientAddress: string) => (await exchange(chain, makeContext({ clientAddress }))).status;
    expect(await status('10.1.2.3')).toBe(200);
    expect(await status('::ffff:10.1.2.3')).toBe(200);
    expect(await status('192.168.1.7')).toBe(200);
    expect(await status('192.168.1.8')).toBe(403);
    expect(await status('fd12::1')).toBe(200);
    expect(await status('fe80::1')).toBe(403);
    expect(await status('172.16.5.5')).toBe(200);
    expect(await status('not-an-ip')).toBe(403);
  });

  it('refuses the blacklist with the configured code and message', async () => {
    const chain = chainFor({ 'ip-restriction': { blacklist: ['127.0.0.1', '::1'], rejectedCode: 401, message: 'go away' } });
    const refused = await exchange(chain, makeContext({ clientAddress: '::1' }));
    expect(refused.status).toBe(401);
    expect(JSON.parse(String(refused.body))).toEqual({ message: 'go away' });
    expect((await exchange(chain, makeContext({ clientAddress: '127.0.0.2' }))).status).toBe(200);
  });

  it('is rejected by validation with both lists or a bad range', () => {
    expect(() => chainFor({ 'ip-restriction': { whitelist: ['1.2.3.4'], blacklist: ['1.2.3.5'] } })).toThrow(/exactly one/);
    expect(() => chainFor({ 'ip-restriction': { whitelist: ['1.2.3.4/40'] } })).toThrow(/whitelist\/0/);
  });
});
