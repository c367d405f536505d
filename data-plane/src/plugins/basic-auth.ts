import { createHash } from 'node:crypto';
import { basicAuthSpec, type PluginConfigOf } from '@sluice/model';
import { jsonAnswer } from './json-answer.js';
import { definePlugin, type ConsumerLookup, type PrepareEnv, type PhaseResult, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';
import { verifyPassword } from './verify-password.js';

type Config = PluginConfigOf<typeof basicAuthSpec>;

interface Compiled {
  hideCredentials: boolean;
  consumers: ConsumerLookup;
  /** Inline htpasswd credentials (user → hash): when set, the only users this route accepts. */
  inline?: Map<string, string>;
  missing: ShortCircuit;
  invalid: ShortCircuit;
  /** Digests of `user:password` pairs already verified against this snapshot's consumers. */
  verified: Set<string>;
}

const VERIFIED_CACHE_LIMIT = 10_000;

/** One verified-pairs cache per consumer index, so it never outlives the credentials it vouches for. */
const verifiedByIndex = new WeakMap<ConsumerLookup, Set<string>>();

export const basicAuthPlugin = definePlugin({
  spec: basicAuthSpec,
  credentialKey: (credential: { username?: string }) => credential.username,
  prepare(config: Config, env: PrepareEnv): Compiled {
    const realm = config.realm ?? 'basic';
    const challenge = { 'www-authenticate': `Basic realm="${realm}"` };
    // Inline credentials get their own cache: a pair verified there must not vouch for a consumer, or back.
    let verified = config.credentials ? new Set<string>() : verifiedByIndex.get(env.consumers);
    if (!verified) verifiedByIndex.set(env.consumers, (verified = new Set()));
    return {
      hideCredentials: config.hideCredentials ?? false,
      consumers: env.consumers,
      inline: config.credentials ? inlineCredentials(config.credentials) : undefined,
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
    const found = c.inline ? inlineUser(c.inline, username) : c.consumers.find('basic-auth', username);
    if (!found) return c.invalid;
    const digest = createHash('sha256').update(decoded).digest('base64');
    if (c.verified.has(digest)) return accept(ctx, c, found.consumer);
    const ok = verifyPassword(password, String(found.credential.password));
    if (ok === true) return remember(c, digest) ?? accept(ctx, c, found.consumer);
    if (ok === false) return c.invalid;
    return ok.then((good) => (good ? (remember(c, digest), accept(ctx, c, found.consumer)) : c.invalid));
  },
});

/** "user:hash" lines; the first line of a user wins, as in htpasswd files read by nginx. */
function inlineCredentials(lines: readonly string[]): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    if (colon > 0 && !users.has(user)) users.set(user, line.slice(colon + 1));
  }
  return users;
}

function inlineUser(users: Map<string, string>, username: string) {
  const hash = users.get(username);
  return hash === undefined ? undefined : { consumer: undefined, credential: { password: hash } };
}

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
