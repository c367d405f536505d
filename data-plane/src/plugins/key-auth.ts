import { keyAuthSpec, type PluginConfigOf } from '@sluice/model';
import { jsonAnswer } from './json-answer.js';
import { definePlugin, type ConsumerLookup, type PrepareEnv, type ShortCircuit } from './plugin.js';
import { removeQueryParam } from './query-string.js';

type Config = PluginConfigOf<typeof keyAuthSpec>;

interface Compiled {
  header: string;
  lowerHeader: string;
  query: string;
  hideCredentials: boolean;
  consumers: ConsumerLookup;
}

const MISSING = jsonAnswer(401, 'Missing API key in request');
const INVALID = jsonAnswer(401, 'Invalid API key in request');

export const keyAuthPlugin = definePlugin({
  spec: keyAuthSpec,
  credentialKey: (credential: { key?: string }) => credential.key,
  prepare: (config: Config, env: PrepareEnv): Compiled => {
    const header = config.header ?? 'apikey';
    return {
      header,
      lowerHeader: header.toLowerCase(),
      query: config.query ?? 'apikey',
      hideCredentials: config.hideCredentials ?? false,
      consumers: env.consumers,
    };
  },
  rewrite(ctx, c): ShortCircuit | undefined {
    let key = ctx.header(c.lowerHeader);
    const fromHeader = key !== undefined;
    if (!fromHeader && ctx.rawQuery.length) key = ctx.queryParam(c.query);
    if (!key) return MISSING;
    const found = c.consumers.find('key-auth', key);
    if (!found) return INVALID;
    ctx.consumer = found.consumer;
    if (c.hideCredentials) {
      if (fromHeader) ctx.removeUpstreamHeader(c.header);
      else ctx.upstreamQuery = removeQueryParam(ctx.upstreamQuery ?? ctx.rawQuery, c.query);
    }
    return undefined;
  },
});
