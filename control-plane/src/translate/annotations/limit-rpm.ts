import { NGINX, check, defineAnnotation } from './annotation.js';

export const limitRpm = defineAnnotation({
  key: `${NGINX}limit-rpm`,
  validate: check.integer(1, 1_000_000),
  scope: 'location',
  risk: 'low',
  support: 'partly',
  doc: '`limit-req` per client address: rate = rpm / 60 per second, burst = rpm × limit-burst-multiplier (5), nodelay. When limit-rps is also set, only limit-rps applies (one limit-req per route), with a warning.',
  apply: ({ value, route, annotation, warn }) => {
    if (route.plugins['limit-req']) return warn(`${NGINX}limit-rpm ignored on ${route.name}: limit-rps is set`);
    const rpm = Number(value);
    const multiplier = Number(annotation(`${NGINX}limit-burst-multiplier`) ?? 5);
    route.plugins['limit-req'] = { rate: rpm / 60, burst: rpm * multiplier, key: 'remote_addr', nodelay: true, rejectedCode: 503 };
  },
});
