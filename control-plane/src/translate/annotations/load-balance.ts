import { NGINX, defineAnnotation } from './annotation.js';

const TYPES: Record<string, 'roundrobin' | 'ewma' | 'least_conn'> = { round_robin: 'roundrobin', ewma: 'ewma', least_conn: 'least_conn' };

export const loadBalance = defineAnnotation({
  key: `${NGINX}load-balance`,
  validate: (v) => (TYPES[v] ? undefined : `must be round_robin, ewma or least_conn, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Upstream `type`: round_robin → roundrobin, ewma, least_conn. upstream-hash-by wins when both are set.',
  apply: ({ value, route }) => {
    const type = TYPES[value]!;
    // roundrobin is the default: leaving it out keeps the Service port's shared upstream.
    if (type !== 'roundrobin' && route.upstream.overrides.type === undefined) route.upstream.overrides.type = type;
  },
});
