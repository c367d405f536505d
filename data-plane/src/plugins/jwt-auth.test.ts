import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: typeof rsa.publicKey) => k.export({ type: 'spki', format: 'pem' }).toString();

const consumers = [
  { id: 'jack', username: 'jack', plugins: { 'jwt-auth': { key: 'jack-key', secret: 'jack-secret' } } },
  { id: 'rita', username: 'rita', plugins: { 'jwt-auth': { key: 'rita-key', algorithm: 'RS256' as const, publicKey: pem(rsa.publicKey) } } },
  { id: 'eve', username: 'eve', plugins: { 'jwt-auth': { key: 'eve-key', algorithm: 'ES256' as const, publicKey: pem(ec.publicKey) } } },
];

const now = () => Math.floor(Date.now() / 1000);
function hs256(claims: Record<string, unknown>, secret = 'jack-secret') {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('jwt-auth', () => {
  const chain = chainFor({ 'jwt-auth': {} }, consumers);

  it('accepts HS256, RS256 and ES256 tokens by their key claim, from a Bearer header', async () => {
    const hs = await exchange(chain, makeContext({ headers: { authorization: `Bearer ${await hs256({ key: 'jack-key', exp: now() + 60 })}` } }));
    expect(hs.answered).toBe(false);
    expect(hs.ctx.consumer?.username).toBe('jack');
    const rs = await new SignJWT({ key: 'rita-key' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
    expect((await exchange(chain, makeContext({ headers: { authorization: rs } }))).ctx.consumer?.username).toBe('rita');
    const es = await new SignJWT({ key: 'eve-key' }).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey);
    expect((await exchange(chain, makeContext({ headers: { authorization: `bearer ${es}` } }))).ctx.consumer?.username).toBe('eve');
  });

  it('remembers a verified token (answering synchronously) until its exp', async () => {
    const own = chainFor({ 'jwt-auth': {} }, consumers);
    const token = await hs256({ key: 'jack-key', exp: now() + 2 });
    const first = own.runRequest(makeContext({ headers: { authorization: token } }));
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBeUndefined();
    const again = makeContext({ headers: { authorization: token } });
    expect(own.runRequest(again)).toBeUndefined();
    expect(again.consumer?.username).toBe('jack');
    // A forged variant of a cached token is not the same string: verified afresh, refused. The
    // signature's first character changes (its last ones may carry padding bits that decode alike).
    const dot = token.lastIndexOf('.') + 1;
    const forged = `${token.slice(0, dot)}${token[dot] === 'A' ? 'B' : 'A'}${token.slice(dot + 1)}`;
    expect((await exchange(own, makeContext({ headers: { authorization: forged } }))).status).toBe(401);
  });

  it('finds the token in the query and the cookie too', async () => {
    const token = await hs256({ key: 'jack-key' });
    expect((await exchange(chain, makeContext({ query: `jwt=${token}` }))).ctx.consumer?.username).toBe('jack');
    expect((await exchange(chain, makeContext({ headers: { cookie: `a=1; jwt=${token}` } }))).ctx.consumer?.username).toBe('jack');
  });

  it('refuses missing, malformed, unknown, forged, expired, not-yet-valid and wrong-algorithm tokens with 401', async () => {
    const cases = {
      missing: undefined,
      malformed: 'not.a.jwt',
      noKey: await hs256({ sub: 'x' }),
      unknownKey: await hs256({ key: 'nobody' }),
      forged: await hs256({ key: 'jack-key' }, 'guessed-secret'),
      expired: await hs256({ key: 'jack-key', exp: now() - 10 }),
      notYet: await hs256({ key: 'jack-key', nbf: now() + 60 }),
      // rita's credential is RS256: an HS256 token signed with her public key as secret must fail.
      algConfusion: await new SignJWT({ key: 'rita-key' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pem(rsa.publicKey))),
    };
    const messages: Record<string, string> = {};
    for (const [name, token] of Object.entries(cases)) {
      const r = await exchange(chain, makeContext({ headers: token ? { authorization: `Bearer ${token}` } : {} }));
      expect(r.status, name).toBe(401);
      expect(r.ctx.consumer, name).toBeUndefined();
      messages[name] = JSON.parse(String(r.body)).message;
    }
    expect(messages).toMatchObject({
      missing: 'Missing JWT token in request',
      malformed: 'JWT token invalid',
      noKey: 'Missing user key in JWT token',
      unknownKey: 'Invalid user key in JWT token',
      forged: 'failed to verify jwt',
      expired: 'failed to verify jwt',
    });
  });

  it('allows clock skew by lifetimeGracePeriod, and a base64 secret', async () => {
    const skew = chainFor({ 'jwt-auth': {} }, [
      {
        id: 'k',
        username: 'k',
        plugins: { 'jwt-auth': { key: 'k', secret: Buffer.from('raw-bytes').toString('base64'), base64Secret: true, lifetimeGracePeriod: 60 } },
      },
    ]);
    const token = await hs256({ key: 'k', exp: now() - 10 }, 'raw-bytes');
    expect((await exchange(skew, makeContext({ headers: { authorization: token } }))).ctx.consumer?.username).toBe('k');
  });

  it('hides the token from the upstream when asked, wherever it was', async () => {
    const hiding = chainFor({ 'jwt-auth': { header: 'X-Token', hideCredentials: true } }, consumers);
    const token = await hs256({ key: 'jack-key' });
    const header = await exchange(hiding, makeContext({ headers: { 'x-token': token } }));
    expect(header.ctx.upstreamHeaderOps?.map((o) => `${o.op} ${o.lowerName}`)).toEqual(['remove x-token', 'set x-consumer-username']);
    const query = await exchange(hiding, makeContext({ path: '/p', query: `a=1&jwt=${token}` }));
    expect(query.ctx.upstreamTarget()).toBe('/p?a=1');
    const cookie = await exchange(hiding, makeContext({ headers: { cookie: `jwt=${token}; theme=dark` } }));
    expect(cookie.ctx.upstreamHeaderOps?.[0]).toMatchObject({ op: 'set', lowerName: 'cookie', value: 'theme=dark' });
  });

  it('rejects consumer credentials without the key material their algorithm needs', () => {
    expect(() => chainFor({ 'jwt-auth': {} }, [{ id: 'a', username: 'a', plugins: { 'jwt-auth': { key: 'a' } } }])).toThrow(/jwt-auth\/secret/);
    expect(() => chainFor({ 'jwt-auth': {} }, [{ id: 'a', username: 'a', plugins: { 'jwt-auth': { key: 'a', algorithm: 'RS256', secret: 's' } } }])).toThrow(
      /jwt-auth\/publicKey/,
    );
    expect(() =>
      chainFor({ 'jwt-auth': {} }, [{ id: 'a', username: 'a', plugins: { 'jwt-auth': { key: 'a', algorithm: 'ES256', publicKey: 'nope' } } }]),
    ).toThrow(/PEM/);
  });
});
