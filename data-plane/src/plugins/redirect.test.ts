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

  it('builds an absolute Location from scheme, host and port, defaulting each to the request', async () => {
    const location = async (redirect: Record<string, unknown>, init: Parameters<typeof makeContext>[0]) =>
      (await exchange(chainFor({ redirect }), makeContext(init))).headers.location;
    // Scheme changes: the Host's port goes (a redirect to https must not keep :80).
    expect(await location({ scheme: 'https' }, { path: '/a', headers: { host: 'shop.test:80' } })).toBe('https://shop.test/a');
    expect(await location({ scheme: 'http' }, { scheme: 'https', path: '/a', headers: { host: 'shop.test' } })).toBe('http://shop.test/a');
    // Same scheme: the Host's port stays; an explicit port replaces it, the scheme default is left out.
    expect(await location({ uri: '/b' }, { path: '/a', headers: { host: 'shop.test:8080' } })).toBe('/b');
    expect(await location({ scheme: 'http', uri: '/b' }, { path: '/a', headers: { host: 'shop.test:8080' } })).toBe('http://shop.test:8080/b');
    expect(await location({ port: 8443, scheme: 'https' }, { path: '/a', headers: { host: 'shop.test' } })).toBe('https://shop.test:8443/a');
    expect(await location({ port: 80 }, { path: '/a', headers: { host: 'shop.test:8080' } })).toBe('http://shop.test/a');
    expect(await location({ port: 443, scheme: 'https' }, { path: '/a', headers: { host: 'shop.test:80' } })).toBe('https://shop.test/a');
    // Another host: its own port only when given.
    expect(await location({ host: 'example.org' }, { path: '/a', headers: { host: 'shop.test:8080' } })).toBe('http://example.org/a');
    expect(await location({ host: 'example.org', port: 8080 }, { path: '/a' })).toBe('http://example.org:8080/a');
    expect(await location({ scheme: 'https', host: '[::1]', port: 8443 }, { path: '/' })).toBe('https://[::1]:8443/');
    expect(await location({ port: 9000 }, { path: '/a', headers: { host: '[::1]:8080' } })).toBe('http://[::1]:9000/a');
    // With a path rewrite, and no Host at all (a relative Location rather than a broken one).
    expect(await location({ scheme: 'https', regexUri: ['^/old(/.*)?$', '/new$1'] }, { path: '/old/x', headers: { host: 'h' } })).toBe('https://h/new/x');
    expect(await location({ scheme: 'https' }, { path: '/a' })).toBe('/a');
  });

  it('needs exactly one target', () => {
    expect(() => chainFor({ redirect: { code: 301 } })).toThrow(/exactly one/);
    expect(() => chainFor({ redirect: { uri: '/a', regexUri: ['^/', '/'] } })).toThrow(/exactly one/);
    expect(() => chainFor({ redirect: { httpToHttps: true, port: 8443 } })).toThrow(/httpToHttps/);
    expect(() => chainFor({ redirect: { host: 'a.test', uri: 'https://b.test/' } })).toThrow(/must be a path/);
    expect(() => chainFor({ redirect: { host: 'a.test:80' } })).toThrow(/host/);
  });
});
