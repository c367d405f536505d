import { NGINX, check, defineAnnotation } from './annotation.js';

export const proxyReadTimeout = defineAnnotation({
  key: `${NGINX}proxy-read-timeout`,
  validate: check.integer(1, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Route `timeout.read` in seconds.',
  apply: ({ value, route }) => {
    route.timeout = { ...route.timeout, read: Number(value) };
  },
});
