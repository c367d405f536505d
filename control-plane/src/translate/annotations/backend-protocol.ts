import { NGINX, defineAnnotation } from './annotation.js';

const SCHEMES: Record<string, 'http' | 'https' | 'grpc' | 'grpcs'> = { HTTP: 'http', AUTO_HTTP: 'http', HTTPS: 'https', GRPC: 'grpc', GRPCS: 'grpcs' };

export const backendProtocol = defineAnnotation({
  key: `${NGINX}backend-protocol`,
  validate: (v) =>
    SCHEMES[v.toUpperCase()] ? undefined : `must be one of HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP (FCGI is not supported), got ${JSON.stringify(v)}`,
  scope: 'location',
  risk: 'low',
  support: 'partly',
  doc: 'Upstream `scheme` (HTTP, HTTPS, GRPC, GRPCS; AUTO_HTTP = http). FCGI is refused.',
  apply: ({ value, route }) => {
    const scheme = SCHEMES[value.toUpperCase()];
    // http is the default: leaving it out keeps the Service port's shared upstream.
    if (scheme !== 'http') route.upstream.overrides.scheme = scheme;
  },
});
