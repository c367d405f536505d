import { NGINX, check, defineAnnotation } from './annotation.js';

export const appRoot = defineAnnotation({
  key: `${NGINX}app-root`,
  validate: check.path,
  scope: 'ingress',
  risk: 'low',
  support: 'partly',
  doc: '`redirect.regexUri` = [`^/$`, app-root] with code 302 on the routes whose path covers `/`; other paths go on to the upstream. Skipped (with a warning) on a route that already redirects.',
  apply: ({ value, route, warn }) => {
    const coversRoot = route.match.paths?.some((p) => p.type === 'prefix' && p.value === '/') ?? true;
    if (!coversRoot) return;
    if (route.plugins.redirect) return warn(`${NGINX}app-root ignored on ${route.name}: the route already redirects`);
    route.plugins.redirect = { regexUri: ['^/$', value], code: 302 };
  },
});
