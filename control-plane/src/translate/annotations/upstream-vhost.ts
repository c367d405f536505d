import { NGINX, defineAnnotation, mergePlugin } from './annotation.js';

export const upstreamVhost = defineAnnotation({
  key: `${NGINX}upstream-vhost`,
  validate: (v) => (/^[A-Za-z0-9.-]+(:\d+)?$/.test(v) ? undefined : `must be a host name, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`proxy-rewrite.host`: the Host header sent to the upstream.',
  apply: ({ value, route }) => mergePlugin(route, 'proxy-rewrite', { host: value }),
});
