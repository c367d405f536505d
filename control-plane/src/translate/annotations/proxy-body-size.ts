import { checkNginxSize, parseNginxSize } from '../nginx-units.js';
import { NGINX, defineAnnotation } from './annotation.js';

export const proxyBodySize = defineAnnotation({
  key: `${NGINX}proxy-body-size`,
  validate: checkNginxSize,
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`client-control.maxBodySize` in bytes (413 above it); "0" = unlimited, also over the ConfigMap\'s global default (the route then carries an empty `client-control`).',
  apply: ({ value, route }) => {
    const bytes = parseNginxSize(value)!;
    // A route's plugin replaces a global rule's of the same name, so {} lifts a global limit.
    route.plugins['client-control'] = bytes > 0 ? { maxBodySize: bytes } : {};
  },
});
