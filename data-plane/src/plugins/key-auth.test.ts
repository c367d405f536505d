import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

const consumers = [
  { id: 'jack', username: 'jack', plugins: { 'key-auth': { key: 'jack-key' } } },
  { id: 'zoe', username: 'zoe', plugins: { 'key-auth': { key: 'jack-key' } } },
  { id: 'anna', username: 'anna', plugins: { 'key-auth': { key: 'anna key' } } },
];

describe('key-auth', () => {
  it('authenticates by header, then by query', async () => {
    const chain = chainFor({ 'key-auth': {} }, consumers);
    const byHeader = await exchange(chain, makeContext({ headers: { apikey: 'jack-key' } }));
    expect(byHeader.answered).toBe(false);
    expect(byHeader.ctx.consumer?.username).toBe('jack');
    const byQuery = await exchange(chain, makeContext({ query: 'a=1&apikey=anna+key' }));
    expect(byQuery.ctx.consumer?.username).toBe('anna');
    expect(byQuery.ctx.upstreamTarget()).toBe('/?a=1&apikey=anna+key');
  });

  it('refuses a missing or unknown key with 401', async () => {
    const chain = chainFor({ 'key-auth': {} }, consumers);
    const missing = await exchange(chain, makeContext());
    expect(missing.status).toBe(401);
    expect(String(missing.body)).toContain('Missing API key');
    const wrong = await exchange(chain, makeContext({ headers: { apikey: 'nope' } }));
    expect(wrong.status).toBe(401);
    expect(String(wrong.body)).toContain('Invalid API key');
    expect((await exchange(chain, makeContext({ headers: { apikey: '' } }))).status).toBe(401);
  });

  it('hides the credential from the upstream when asked', async () => {
    const chain = chainFor({ 'key-auth': { header: 'X-Key', query: 'k', hideCredentials: true } }, consumers);
    const header = await exchange(chain, makeContext({ headers: { 'x-key': 'jack-key' } }));
    expect(header.ctx.upstreamHeaderOps?.map((o) => `${o.op} ${o.lowerName}`)).toEqual(['remove x-key', 'set x-consumer-username']);
    const query = await exchange(chain, makeContext({ path: '/p', query: 'k=jack-key&b=2&k=x' }));
    expect(query.ctx.upstreamTarget()).toBe('/p?b=2');
  });

  it('gives a duplicated key to the first consumer by username and reports the other', async () => {
    const chain = chainFor({ 'key-auth': {} }, consumers);
    const res = await exchange(chain, makeContext({ headers: { apikey: 'jack-key' } }));
    expect(res.ctx.consumer?.username).toBe('jack');
  });
});
