import { checkNginxTime, parseNginxTime } from '../nginx-units.js';
import { NGINX, defineAnnotation } from './annotation.js';

export const proxySendTimeout = defineAnnotation({
  key: `${NGINX}proxy-send-timeout`,
  validate: checkNginxTime(0.001, 86_400),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Route `timeout.send` in seconds; nginx times (`11s`, `5m`, `1h`) are accepted.',
  apply: ({ value, route }) => {
    route.timeout = { ...route.timeout, send: parseNginxTime(value)! };
  },
});
