import { NGINX, check, defineAnnotation, mergePlugin } from './annotation.js';

export const xForwardedPrefix = defineAnnotation({
  key: `${NGINX}x-forwarded-prefix`,
  validate: (v) => check.nonEmpty(v) ?? (/^[^\r\n]*$/.test(v) ? undefined : 'must be one line'),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`proxy-rewrite.headers.set["X-Forwarded-Prefix"]`.',
  apply: ({ value, route }) => {
    const current = (route.plugins['proxy-rewrite'] as { headers?: { set?: Record<string, string> } } | undefined)?.headers;
    mergePlugin(route, 'proxy-rewrite', { headers: { ...current, set: { ...current?.set, 'X-Forwarded-Prefix': value } } });
  },
});
