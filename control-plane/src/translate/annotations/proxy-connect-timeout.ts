import { checkNginxTime, parseNginxTime } from '../nginx-units.js';
import { NGINX, defineAnnotation } from './annotation.js';

export const proxyConnectTimeout = defineAnnotation({
  key: `${NGINX}proxy-connect-timeout`,
  validate: checkNginxTime(0.001, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Route `timeout.connect` in seconds; nginx times (`11s`, `5m`, `1h`) are accepted.',
  apply: ({ value, route }) => {
    route.timeout = { ...route.timeout, connect: parseNginxTime(value)! };
  },
});
