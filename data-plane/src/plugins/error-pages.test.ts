import { describe, expect, it } from 'vitest';
import { errorPageHeaderOps } from './error-pages.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('error-pages', () => {
  it('puts its target on the context, statuses indexed', async () => {
    const chain = chainFor({ 'error-pages': { upstreamId: 'errors', statuses: [404, 503], headers: { 'X-Namespace': 'shop' } } });
    const { ctx } = await exchange(chain, makeContext());
    expect(ctx.errorPages?.upstreamId).toBe('errors');
    expect(ctx.errorPages?.statuses[503]).toBe(1);
    expect(ctx.errorPages?.statuses[500]).toBe(0);
  });

  it('sends ingress-nginx headers to the error-page upstream', async () => {
    const chain = chainFor({ 'error-pages': { upstreamId: 'errors', statuses: [503], headers: { 'X-Namespace': 'shop' } } });
    const { ctx } = await exchange(chain, makeContext({ path: '/a', query: 'b=1', headers: { accept: 'text/html', 'x-request-id': 'abc' } }));
    const ops = Object.fromEntries(errorPageHeaderOps(ctx.errorPages!, 503, ctx).map((o) => [o.name, o.value]));
    expect(ops).toEqual({ 'X-Code': '503', 'X-Format': 'text/html', 'X-Original-URI': '/a?b=1', 'X-Request-ID': 'abc', 'X-Namespace': 'shop' });
  });

  it('is rejected without statuses or with a 2xx status', () => {
    expect(() => chainFor({ 'error-pages': { upstreamId: 'errors', statuses: [] } })).toThrow(/statuses/);
    expect(() => chainFor({ 'error-pages': { upstreamId: 'errors', statuses: [200] } })).toThrow(/statuses/);
  });
});
