import { checkNginxTime, parseNginxTime } from '../nginx-units.js';
import { NGINX, defineAnnotation } from './annotation.js';

export const proxyNextUpstreamTimeout = defineAnnotation({
  key: `${NGINX}proxy-next-upstream-timeout`,
  validate: checkNginxTime(0, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Upstream `retryTimeout` in seconds: no further attempt starts once the request is that old; 0 means no limit; nginx times (`30s`, `1m`) are accepted.',
  apply: ({ value, route }) => {
    const seconds = parseNginxTime(value)!;
    if (seconds > 0) route.upstream.overrides.retryTimeout = seconds;
  },
});
