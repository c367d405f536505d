import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('redirect', () => {
  it('sends plain HTTP to HTTPS with 301, keeping path and query, dropping the port', async () => {
    const chain = chainFor({ redirect: { httpToHttps: true } });
    const res = await exchange(chain, makeContext({ path: '/a/b', query: 'q=1', headers: { host: 'shop.test:9080' } }));
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://shop.test/a/b?q=1');
    expect((await exchange(chain, makeContext({ scheme: 'https', headers: { host: 'shop.test' } }))).answered).toBe(false);
    const v6 = await exchange(chain, makeContext({ headers: { host: '[::1]:9080' } }));
    expect(v6.headers.location).toBe('https://[::1]/');
  });

  it('redirects to a fixed uri or by regex, with the query when asked', async () => {
    const fixed = await exchange(chainFor({ redirect: { uri: '/new', code: 308, appendQueryString: true } }), makeContext({ query: 'a=1' }));
    expect(fixed).toMatchObject({ status: 308, headers: { location: '/new?a=1' } });
    const chain = chainFor({ redirect: { regexUri: ['^/old/(.*)', '/new/$1'] } });
    expect((await exchange(chain, makeContext({ path: '/old/x' }))).headers.location).toBe('/new/x');
    expect((await exchange(chain, makeContext({ path: '/else' }))).answered).toBe(false);
  });

  it('needs exactly one target', () => {
    expect(() => chainFor({ redirect: { code: 301 } })).toThrow(/exactly one/);
  });
});
