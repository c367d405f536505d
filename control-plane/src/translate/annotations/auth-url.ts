import { NGINX, check, defineAnnotation, splitList } from './annotation.js';

export const authUrl = defineAnnotation({
  key: `${NGINX}auth-url`,
  validate: (v) => (v.includes('$') ? `nginx variables are not supported in auth-url, got ${JSON.stringify(v)}` : check.url(v)),
  scope: 'location',
  risk: 'high',
  support: 'partly',
  doc: '`forward-auth` to the URL: 2xx lets the request through with auth-response-headers copied upstream; any other answer goes to the client. The Authorization and Cookie headers are passed; auth-signin becomes a redirect on 401 (see auth-signin); auth-method, auth-cache-*, and nginx variables in the URL are not supported.',
  apply: ({ value, route, annotation }) => {
    const responseHeaders = annotation(`${NGINX}auth-response-headers`);
    const signin = annotation(`${NGINX}auth-signin`);
    const redirectParam = annotation(`${NGINX}auth-signin-redirect-param`);
    route.plugins['forward-auth'] = {
      uri: value,
      requestHeaders: ['Authorization', 'Cookie'],
      ...(responseHeaders ? { upstreamHeaders: splitList(responseHeaders) } : {}),
      clientHeaders: ['Location', 'WWW-Authenticate', 'Set-Cookie'],
      ...(signin ? { signin: { url: signin, ...(redirectParam ? { redirectParam } : {}) } } : {}),
    };
  },
});
