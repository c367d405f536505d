import { NGINX, check, defineAnnotation } from './annotation.js';

export const limitRps = defineAnnotation({
  key: `${NGINX}limit-rps`,
  validate: check.integer(1, 1_000_000),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`limit-req` per client address: rate = rps, burst = rps × limit-burst-multiplier (5), nodelay, 503 beyond (nginx limit_req with burst nodelay).',
  apply: ({ value, route, annotation }) => {
    const rps = Number(value);
    const multiplier = Number(annotation(`${NGINX}limit-burst-multiplier`) ?? 5);
    route.plugins['limit-req'] = { rate: rps, burst: rps * multiplier, key: 'remote_addr', nodelay: true, rejectedCode: 503 };
  },
});
