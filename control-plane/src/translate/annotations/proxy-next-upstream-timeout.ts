import { NGINX, check, defineAnnotation } from './annotation.js';

export const proxyNextUpstreamTimeout = defineAnnotation({
  key: `${NGINX}proxy-next-upstream-timeout`,
  validate: check.integer(0, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Upstream `retryTimeout` in seconds: no further attempt starts once the request is that old; 0 means no limit.',
  apply: ({ value, route }) => {
    const seconds = Number(value);
    if (seconds > 0) route.upstream.overrides.retryTimeout = seconds;
  },
});
