import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

describe('client-cert-headers', () => {
  it('says NONE without TLS and replaces forged headers', async () => {
    const chain = chainFor({ 'client-cert-headers': { passCertificate: true } });
    const { ctx } = await exchange(chain, makeContext({ headers: { 'ssl-client-verify': 'SUCCESS' } }));
    const ops = Object.fromEntries((ctx.upstreamHeaderOps ?? []).map((o) => [o.name, [o.op, o.value]]));
    expect(ops['ssl-client-verify']).toEqual(['set', 'NONE']);
    expect(ops['ssl-client-cert']).toEqual(['set', '']);
    expect(ops['ssl-client-subject-dn']).toEqual(['set', '']);
  });

  it('removes ssl-client-cert unless asked to pass the certificate', async () => {
    const { ctx } = await exchange(chainFor({ 'client-cert-headers': {} }), makeContext());
    expect(ctx.upstreamHeaderOps?.find((o) => o.name === 'ssl-client-cert')?.op).toBe('remove');
  });
});

describe('client-cert-headers errorPage', () => {
  it('redirects a request without a verified certificate', async () => {
    const answer = await exchange(chainFor({ 'client-cert-headers': { errorPage: 'https://errors.example/cert' } }), makeContext());
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('https://errors.example/cert');
  });
});
