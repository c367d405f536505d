import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Consumer } from '@sluice/model';
import { jwtAuthSpec, type PluginConfigOf } from '@sluice/model';
import { jsonAnswer } from './json-answer.js';
import { lazyRequire } from './lazy-require.js';
import { definePlugin, type ConsumerLookup, type PrepareEnv, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';
import { removeQueryParam } from './query-string.js';

type Config = PluginConfigOf<typeof jwtAuthSpec>;

interface Credential {
  key: string;
  secret?: string;
  base64Secret?: boolean;
  publicKey?: string;
  algorithm?: string;
  lifetimeGracePeriod?: number;
}

interface Compiled {
  header: string;
  lowerHeader: string;
  query: string;
  cookie: string;
  keyClaimName: string;
  hideCredentials: boolean;
  consumers: ConsumerLookup;
  /** Tokens that verified, with their consumer and until when they are good (ms). */
  verified: LRUCache<string, Verified>;
  jose: Jose;
}

type Jose = typeof import('jose');
/** jose is loaded when a route first uses jwt-auth (lazy-require.ts). */
const loadJose = lazyRequire<Jose>('jose');

interface Verified {
  consumer: Consumer;
  until: number;
}

/** Verified tokens remembered per route; clients send the same token many times. */
const VERIFIED_CACHE_SIZE = 10_000;

type TokenSource = 'header' | 'query' | 'cookie';

const MISSING = jsonAnswer(401, 'Missing JWT token in request');
const MALFORMED = jsonAnswer(401, 'JWT token invalid');
const NO_KEY = jsonAnswer(401, 'Missing user key in JWT token');
const UNKNOWN_KEY = jsonAnswer(401, 'Invalid user key in JWT token');
const NOT_VERIFIED = jsonAnswer(401, 'failed to verify jwt');

/** Key objects made once per credential (and per snapshot: credentials are new objects then). */
const verifyKeys = new WeakMap<Credential, KeyObject | null>();

function verifyKeyOf(credential: Credential): KeyObject | null {
  let key = verifyKeys.get(credential);
  if (key === undefined) {
    try {
      const alg = credential.algorithm ?? 'HS256';
      key = alg.startsWith('HS')
        ? createSecretKey(Buffer.from(credential.secret ?? '', credential.base64Secret ? 'base64' : 'utf8'))
        : createPublicKey(credential.publicKey ?? '');
    } catch {
      key = null; // an unusable key verifies nothing
    }
    verifyKeys.set(credential, key);
  }
  return key;
}

/**
 * jwt-auth as in APISIX: the token's `key` claim picks the consumer's credential, whose one
 * algorithm and key must verify the signature; exp and nbf are enforced by jose. Verification
 * is asynchronous (WebCrypto, ~60 µs for HS256), so a new token costs a Promise; a token that
 * verified before is taken from a per-route cache, synchronously, until its exp.
 */
export const jwtAuthPlugin = definePlugin({
  spec: jwtAuthSpec,
  credentialKey: (credential: Credential) => credential.key,
  prepare: (config: Config, env: PrepareEnv): Compiled => {
    const header = config.header ?? 'authorization';
    return {
      header,
      lowerHeader: header.toLowerCase(),
      query: config.query ?? 'jwt',
      cookie: config.cookie ?? 'jwt',
      keyClaimName: config.keyClaimName ?? 'key',
      hideCredentials: config.hideCredentials ?? false,
      consumers: env.consumers,
      // Per compile: a new snapshot (changed consumers or keys) starts with an empty cache.
      verified: new LRUCache({ max: VERIFIED_CACHE_SIZE }),
      jose: loadJose(),
    };
  },
  rewrite(ctx, c): ShortCircuit | undefined | Promise<ShortCircuit | undefined> {
    let source: TokenSource = 'header';
    let token = bearer(ctx.header(c.lowerHeader));
    if (!token && ctx.rawQuery.length) {
      source = 'query';
      token = ctx.queryParam(c.query);
    }
    if (!token) {
      source = 'cookie';
      token = cookieValue(ctx.header('cookie'), c.cookie);
    }
    if (!token) return MISSING;
    const known = c.verified.get(token);
    if (known !== undefined && Date.now() < known.until) {
      accept(ctx, c, source, known.consumer);
      return undefined;
    }
    let claim: unknown;
    try {
      claim = c.jose.decodeJwt(token)[c.keyClaimName];
    } catch {
      return MALFORMED;
    }
    if (typeof claim !== 'string' || !claim) return NO_KEY;
    const found = c.consumers.find('jwt-auth', claim);
    if (!found) return UNKNOWN_KEY;
    const credential = found.credential as Credential;
    const key = verifyKeyOf(credential);
    if (key === null) return NOT_VERIFIED;
    const verified = c.jose.jwtVerify(token, key, {
      algorithms: [credential.algorithm ?? 'HS256'],
      clockTolerance: credential.lifetimeGracePeriod ?? 0,
    });
    return verified.then(
      ({ payload }) => {
        const grace = credential.lifetimeGracePeriod ?? 0;
        c.verified.set(token, { consumer: found.consumer, until: payload.exp === undefined ? Infinity : (payload.exp + grace) * 1000 });
        accept(ctx, c, source, found.consumer);
        return undefined;
      },
      () => NOT_VERIFIED,
    );
  },
});

function accept(ctx: PluginContext, c: Compiled, source: TokenSource, consumer: Consumer): void {
  ctx.consumer = consumer;
  if (c.hideCredentials) hide(ctx, c, source);
}

/** The token of an Authorization-style value: `Bearer <token>` or the bare token. */
function bearer(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.length > 7 && value.slice(0, 7).toLowerCase() === 'bearer ' ? value.slice(7).trim() : value.trim();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function hide(ctx: PluginContext, c: Compiled, source: TokenSource): void {
  if (source === 'header') ctx.removeUpstreamHeader(c.header);
  else if (source === 'query') ctx.upstreamQuery = removeQueryParam(ctx.upstreamQuery ?? ctx.rawQuery, c.query);
  else {
    const rest = (ctx.header('cookie') ?? '')
      .split(';')
      .filter((part) => part.slice(0, Math.max(0, part.indexOf('='))).trim() !== c.cookie)
      .map((part) => part.trim())
      .join('; ');
    if (rest) ctx.setUpstreamHeader('Cookie', rest);
    else ctx.removeUpstreamHeader('Cookie');
  }
}
