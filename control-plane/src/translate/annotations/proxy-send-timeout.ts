import { NGINX, check, defineAnnotation } from './annotation.js';

export const proxySendTimeout = defineAnnotation({
  key: `${NGINX}proxy-send-timeout`,
  validate: check.integer(1, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Route `timeout.send` in seconds.',
  apply: ({ value, route }) => {
    route.timeout = { ...route.timeout, send: Number(value) };
  },
});
