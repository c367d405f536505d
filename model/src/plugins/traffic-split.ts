import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';
import { Id } from '../meta.js';
import { ValueMatch } from '../route.js';
import { regexIssue } from '../validate.js';
import { ProxyRewriteConfig, proxyRewriteSpec } from './proxy-rewrite.js';

const WeightedUpstream = Type.Object(
  {
    /** Absent = the route's own backends. */
    upstreamId: Type.Optional(Id),
    weight: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    /** Applied only to requests this entry takes, after the route's own rewrites (Gateway API per-backend filters). */
    proxyRewrite: Type.Optional(ProxyRewriteConfig),
  },
  { additionalProperties: false },
);

const Rule = Type.Object(
  {
    /** Every condition must hold; absent = every request (a plain weighted split). */
    match: Type.Optional(
      Type.Object(
        {
          headers: Type.Optional(Type.Array(ValueMatch, { maxItems: 32 })),
          query: Type.Optional(Type.Array(ValueMatch, { maxItems: 32 })),
          cookies: Type.Optional(Type.Array(ValueMatch, { maxItems: 32 })),
          remoteAddrs: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 1000, description: 'client IPs or CIDRs' })),
        },
        { additionalProperties: false },
      ),
    ),
    weightedUpstreams: Type.Array(WeightedUpstream, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const trafficSplitSpec = definePluginSpec({
  name: 'traffic-split',
  priority: 966,
  version: '1.0',
  description: 'Sends matching requests to other upstreams by weight: canary releases by header, cookie, client address or percentage.',
  attachTo: ['route', 'plugin-config'],
  schema: Type.Object({ rules: Type.Array(Rule, { minItems: 1, maxItems: 64 }) }, { additionalProperties: false }),
  check: (c) =>
    c.rules.flatMap((rule, r) => [
      ...(['headers', 'query', 'cookies'] as const).flatMap((field) =>
        (rule.match?.[field] ?? []).flatMap((m, i) => {
          const path = `/rules/${r}/match/${field}/${i}/value`;
          if ((m.type ?? 'exact') === 'regex') return regexIssue(path, m.value);
          if ((m.type ?? 'exact') === 'exact' && m.value === undefined) return [{ path, message: 'is required for type exact' }];
          return [];
        }),
      ),
      ...rule.weightedUpstreams.flatMap((w, i) =>
        (w.proxyRewrite ? (proxyRewriteSpec.check?.(w.proxyRewrite) ?? []) : []).map((issue) => ({
          ...issue,
          path: `/rules/${r}/weightedUpstreams/${i}/proxyRewrite${issue.path}`,
        })),
      ),
      ...(rule.weightedUpstreams.every((w) => w.weight === 0) ? [{ path: `/rules/${r}/weightedUpstreams`, message: 'needs at least one weight above 0' }] : []),
    ]),
  upstreamRefs: (c) => [...new Set(c.rules.flatMap((r) => r.weightedUpstreams.flatMap((w) => (w.upstreamId ? [w.upstreamId] : []))))],
  example: {
    rules: [
      { match: { headers: [{ name: 'X-Canary', type: 'exact', value: 'true' }] }, weightedUpstreams: [{ upstreamId: 'shop-v2', weight: 1 }] },
      { weightedUpstreams: [{ upstreamId: 'shop-v2', weight: 10 }, { weight: 90 }] },
    ],
  },
  notes: [
    'Rules are tried in order; the first whose conditions all hold chooses among its weighted upstreams (smooth weighted round robin).',
    "A weighted entry without upstreamId means the route's own backends; a request matching no rule also goes there.",
    'Header names are case-insensitive; query and cookie names are not. Conditions use the route match vocabulary (exact, regex, present, absent).',
    'The upstreams named here must exist (400 from the admin API otherwise) and cannot be deleted while the route refers to them.',
    "An entry's proxyRewrite (path, host, headers, as the proxy-rewrite plugin takes them) applies only when that entry is chosen, after the route's own rewrites: the Gateway API's per-backend filters.",
    'This covers the canary annotations of ingress-nginx: by header (canary-by-header), by cookie (canary-by-cookie) and by weight (canary-weight).',
  ],
});
