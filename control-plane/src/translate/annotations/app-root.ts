import { coversRoot } from '../app-root-routes.js';
import { NGINX, check, defineAnnotation } from './annotation.js';

export const appRoot = defineAnnotation({
  key: `${NGINX}app-root`,
  validate: check.path,
  scope: 'ingress',
  risk: 'low',
  support: 'partly',
  doc: "`redirect.regexUri` = [`^/$`, app-root] with code 302 on the route serving the host's `/`: the Ingress's `/` path, or, when no Ingress serves `/` on that host, an exact `/` route added for it (ingress-nginx gives every host a root location); other paths go on to the upstream. Skipped (with a warning) on a route that already redirects.",
  apply: ({ value, route, warn }) => {
    if (!coversRoot(route)) return;
    if (route.plugins.redirect) return warn(`${NGINX}app-root ignored on ${route.name}: the route already redirects`);
    route.plugins.redirect = { regexUri: ['^/$', value], code: 302 };
  },
});
