import { NGINX, check, defineAnnotation } from './annotation.js';

export const permanentRedirect = defineAnnotation({
  key: `${NGINX}permanent-redirect`,
  validate: (v) => check.nonEmpty(v) ?? (/^(https?:\/\/|\/)\S*$/.test(v) ? undefined : `must be a URL or a path, got ${JSON.stringify(v)}`),
  scope: 'location',
  risk: 'medium',
  support: 'supported',
  doc: '`redirect.uri` with code 301 (or permanent-redirect-code). Wins over ssl-redirect, as nginx `return` runs first.',
  apply: ({ value, route, annotation }) => {
    route.plugins.redirect = { uri: value, code: Number(annotation(`${NGINX}permanent-redirect-code`) ?? 301) };
  },
});
