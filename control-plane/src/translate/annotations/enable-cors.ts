import { NGINX, check, defineAnnotation, splitList } from './annotation.js';

// ingress-nginx's defaults for the cors-allow-* family.
const DEFAULT_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS';
const DEFAULT_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization';

export const enableCors = defineAnnotation({
  key: `${NGINX}enable-cors`,
  validate: check.boolean,
  scope: 'ingress',
  risk: 'low',
  support: 'supported',
  doc: '`cors` with the cors-allow-* annotations and ingress-nginx defaults (methods GET, PUT, POST, DELETE, PATCH, OPTIONS; max age 1728000; credentials true). Wildcard origins like `https://*.foo.com` become origin regexes; with origin `*` credentials are not announced (browsers refuse them with `*` anyway).',
  apply: ({ value, route, annotation }) => {
    if (value !== 'true') return;
    const origins = splitList(annotation(`${NGINX}cors-allow-origin`) ?? '*');
    const exact = origins.filter((o) => o === '*' || !o.includes('*'));
    const wildcards = origins.filter((o) => o !== '*' && o.includes('*'));
    const credentials = (annotation(`${NGINX}cors-allow-credentials`) ?? 'true') === 'true' && !exact.includes('*');
    const expose = annotation(`${NGINX}cors-expose-headers`);
    route.plugins.cors = {
      allowOrigins: exact.includes('*') ? '*' : exact.join(','),
      ...(wildcards.length ? { allowOriginsByRegex: wildcards.map(wildcardToRegex) } : {}),
      allowMethods: annotation(`${NGINX}cors-allow-methods`) ?? DEFAULT_METHODS,
      allowHeaders: annotation(`${NGINX}cors-allow-headers`) ?? DEFAULT_HEADERS,
      ...(expose ? { exposeHeaders: expose } : {}),
      maxAge: Number(annotation(`${NGINX}cors-max-age`) ?? 1728000),
      allowCredential: credentials,
    };
  },
});

/** "https://*.foo.com" → "^https://[^.]+\.foo\.com$" (one label, as ingress-nginx). */
function wildcardToRegex(origin: string): string {
  return (
    '^' +
    origin
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('[^.]+') +
    '$'
  );
}
