import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';
import { verifyPassword } from './verify-password.js';

const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

// Hashes as htpasswd -m / -B / -s store them, for the password "secret".
const APR1 = '$apr1$9Cv/OMGj$yDDMqatHvvGCYQRtv0eHK.'; // openssl passwd -apr1 -salt 9Cv/OMGj secret
const BCRYPT_2Y = bcrypt.hashSync('secret', 4).replace(/^\$2b\$/, '$2y$');
const SHA = `{SHA}${createHash('sha1').update('secret').digest('base64')}`;

const consumers = [
  { id: 'plain', username: 'plain', plugins: { 'basic-auth': { username: 'plain', password: 'secret' } } },
  { id: 'md5', username: 'md5', plugins: { 'basic-auth': { username: 'md5user', password: APR1 } } },
  { id: 'bc', username: 'bc', plugins: { 'basic-auth': { username: 'bcuser', password: BCRYPT_2Y } } },
  { id: 'sha', username: 'sha', plugins: { 'basic-auth': { username: 'shauser', password: SHA } } },
];

describe('verifyPassword', () => {
  it('checks apr1, bcrypt ($2y$ too), {SHA} and plain passwords', async () => {
    expect(verifyPassword('secret', APR1)).toBe(true);
    expect(verifyPassword('Secret', APR1)).toBe(false);
    expect(await verifyPassword('secret', BCRYPT_2Y)).toBe(true);
    expect(await verifyPassword('secreT', BCRYPT_2Y)).toBe(false);
    expect(verifyPassword('secret', SHA)).toBe(true);
    expect(verifyPassword('secret2', SHA)).toBe(false);
    expect(verifyPassword('secret', 'secret')).toBe(true);
    expect(verifyPassword('secre', 'secret')).toBe(false);
  });
});

describe('basic-auth', () => {
  it('authenticates every password form and knows the consumer', async () => {
    const chain = chainFor({ 'basic-auth': {} }, consumers);
    for (const [user, consumer] of [
      ['plain', 'plain'],
      ['md5user', 'md5'],
      ['bcuser', 'bc'],
      ['shauser', 'sha'],
    ]) {
      const res = await exchange(chain, makeContext({ headers: basic(user, 'secret') }));
      expect(res.answered, user).toBe(false);
      expect(res.ctx.consumer?.username).toBe(consumer);
    }
  });

  it('answers 401 with the realm for missing, malformed and wrong credentials', async () => {
    const chain = chainFor({ 'basic-auth': { realm: 'shop' } }, consumers);
    for (const headers of [
      {},
      { authorization: 'Bearer x' },
      { authorization: 'Basic bm9jb2xvbg==' },
      basic('nobody', 'secret'),
      basic('bcuser', 'wrong'),
      basic('plain', ''),
    ]) {
      const res = await exchange(chain, makeContext({ headers }));
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="shop"');
    }
  });

  it('remembers a verified bcrypt pair (second check is synchronous) and hides credentials', async () => {
    const chain = chainFor({ 'basic-auth': { hideCredentials: true } }, consumers);
    const first = chain.runRequest(makeContext({ headers: basic('bcuser', 'secret') }));
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBeUndefined();
    const ctx = makeContext({ headers: basic('bcuser', 'secret') });
    expect(chain.runRequest(ctx)).toBeUndefined();
    expect(ctx.upstreamHeaderOps?.[0]).toMatchObject({ op: 'remove', lowerName: 'authorization' });
    // A wrong password is never remembered.
    expect(await chain.runRequest(makeContext({ headers: basic('bcuser', 'nope') }))).toMatchObject({ status: 401 });
  });
});

describe('basic-auth with inline credentials (per-route htpasswd lines)', () => {
  it('accepts only the listed users, with any htpasswd hash, and ignores consumers', async () => {
    const chain = chainFor({ 'basic-auth': { realm: 'ingress', credentials: [`alice:${APR1}`, `bob:${BCRYPT_2Y}`, `carol:${SHA}`] } }, consumers);
    for (const user of ['alice', 'bob', 'carol']) {
      const res = await exchange(chain, makeContext({ headers: basic(user, 'secret') }));
      expect(res.answered, user).toBe(false);
      expect(res.ctx.consumer).toBeUndefined();
    }
    for (const headers of [basic('alice', 'wrong'), basic('plain', 'secret'), {}]) {
      const res = await exchange(chain, makeContext({ headers }));
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="ingress"');
    }
  });

  it('lets nobody in with an empty list', async () => {
    const chain = chainFor({ 'basic-auth': { credentials: [] } }, consumers);
    expect((await exchange(chain, makeContext({ headers: basic('plain', 'secret') }))).status).toBe(401);
  });
});
