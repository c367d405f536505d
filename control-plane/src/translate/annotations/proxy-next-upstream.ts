import type { InlineUpstream } from '@sluice/model';
import { NGINX, defineAnnotation } from './annotation.js';

type RetryCondition = NonNullable<InlineUpstream['retryOn']>[number];

/** nginx proxy_next_upstream tokens → upstream retryOn (invalid_header is an upstream protocol error). */
const CONDITIONS: Record<string, RetryCondition | undefined> = {
  error: 'error',
  timeout: 'timeout',
  invalid_header: 'error',
  http_500: 500,
  http_502: 502,
  http_503: 503,
  http_504: 504,
  http_403: 403,
  http_404: 404,
  http_429: 429,
  non_idempotent: 'non_idempotent',
  off: undefined,
};

function tokensOf(v: string): string[] {
  return v.split(/[\s,]+/).filter(Boolean);
}

export const proxyNextUpstream = defineAnnotation({
  key: `${NGINX}proxy-next-upstream`,
  validate: (v) => {
    const tokens = tokensOf(v);
    if (tokens.length === 0) return 'must list conditions, e.g. "error timeout http_503"';
    const unknown = tokens.filter((t) => !(t in CONDITIONS));
    if (unknown.length) return `unknown condition ${unknown.map((t) => JSON.stringify(t)).join(', ')}; allowed: ${Object.keys(CONDITIONS).join(' ')}`;
    if (tokens.includes('off') && tokens.length > 1) return '"off" cannot be combined with other conditions';
    return undefined;
  },
  scope: 'location',
  risk: 'medium',
  support: 'supported',
  doc: 'Upstream `retryOn` (error, timeout, http_5xx/403/404/429 as statuses, non_idempotent also retries POST/PATCH after a reset; invalid_header counts as error); `off` sets `retries: 0`. Requests with a body are not retried on a status.',
  apply: ({ value, route }) => {
    const tokens = tokensOf(value);
    if (tokens.includes('off')) {
      route.upstream.overrides.retries = 0;
      return;
    }
    const retryOn = [...new Set(tokens.map((t) => CONDITIONS[t]!))];
    route.upstream.overrides.retryOn = retryOn;
  },
});
