import { NGINX, check, defineAnnotation } from './annotation.js';

export const limitConnections = defineAnnotation({
  key: `${NGINX}limit-connections`,
  validate: check.integer(1, 1_000_000),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`limit-conn` per client address: conn = value, no burst, 503 beyond (nginx limit_conn).',
  apply: ({ value, route }) => {
    route.plugins['limit-conn'] = { conn: Number(value), burst: 0, defaultConnDelay: 1, key: 'remote_addr', rejectedCode: 503 };
  },
});
