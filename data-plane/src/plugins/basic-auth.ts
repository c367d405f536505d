import { createHash } from 'node:crypto';
import { basicAuthSpec, type PluginConfigOf } from '@sluice/model';
import type { ConsumerIndex } from './consumer-index.js';
import { jsonAnswer } from './json-answer.js';
import { definePlugin, type PrepareEnv, type PhaseResult, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';
import { verifyPassword } from './verify-password.js';

type Config = PluginConfigOf<typeof basicAuthSpec>;

interface Compiled {
  hideCredentials: boolean;
  consumers: ConsumerIndex;
  missing: ShortCircuit;
  invalid: ShortCircuit;
  /** Digests of `user:password` pairs already verified against this snapshot's consumers. */
  verified: Set<string>;
}

const VERIFIED_CACHE_LIMIT = 10_000;

/** One verified-pairs cache per consumer index, so it never outlives the credentials it vouches for. */
const verifiedByIndex = new WeakMap<ConsumerIndex, Set<string>>();

export const basicAuthPlugin = definePlugin({
  spec: basicAuthSpec,
  credentialKey: (credential: { username?: string }) => credential.username,
  prepare(config: Config, env: PrepareEnv): Compiled {
    const realm = config.realm ?? 'basic';
    const challenge = { 'www-authenticate': `Basic realm="${realm}"` };
    let verified = verifiedByIndex.get(env.consumers);
    if (!verified) verifiedByIndex.set(env.consumers, (verified = new Set()));
    return {
      hideCredentials: config.hideCredentials ?? false,
      consumers: env.consumers,
      missing: jsonAnswer(401, 'Missing authorization in request', challenge),
      invalid: jsonAnswer(401, 'Invalid user authorization', challenge),
      verified,
    };
  },
  rewrite(ctx, c): PhaseResult | Promise<PhaseResult> {
    const header = ctx.header('authorization');
    if (!header || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return c.missing;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return c.invalid;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const found = c.consumers.find('basic-auth', username);
    if (!found) return c.invalid;
    const digest = createHash('sha256').update(decoded).digest('base64');
    if (c.verified.has(digest)) return accept(ctx, c, found.consumer);
    const ok = verifyPassword(password, String(found.credential.password));
    if (ok === true) return remember(c, digest) ?? accept(ctx, c, found.consumer);
    if (ok === false) return c.invalid;
    return ok.then((good) => (good ? (remember(c, digest), accept(ctx, c, found.consumer)) : c.invalid));
  },
});

function accept(ctx: PluginContext, c: Compiled, consumer: PluginContext['consumer']): undefined {
  ctx.consumer = consumer;
  if (c.hideCredentials) ctx.removeUpstreamHeader('Authorization');
  return undefined;
}

function remember(c: Compiled, digest: string): undefined {
  if (c.verified.size >= VERIFIED_CACHE_LIMIT) c.verified.clear();
  c.verified.add(digest);
  return undefined;
}
