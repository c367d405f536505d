import { NGINX, check, defineAnnotation } from './annotation.js';

export const proxyConnectTimeout = defineAnnotation({
  key: `${NGINX}proxy-connect-timeout`,
  validate: check.integer(1, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Route `timeout.connect` in seconds.',
  apply: ({ value, route }) => {
    route.timeout = { ...route.timeout, connect: Number(value) };
  },
});
