import { NGINX, check, defineAnnotation } from './annotation.js';

export const proxyNextUpstreamTries = defineAnnotation({
  key: `${NGINX}proxy-next-upstream-tries`,
  validate: check.integer(0, 101),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: 'Upstream `retries` = tries - 1 (nginx counts the first attempt); 0 means no limit and keeps the default (one try per node, at most 5 retries).',
  apply: ({ value, route, annotation }) => {
    const tries = Number(value);
    // proxy-next-upstream off wins: no retries at all.
    if (tries === 0 || route.upstream.overrides.retries === 0 || annotation(`${NGINX}proxy-next-upstream`)?.trim() === 'off') return;
    route.upstream.overrides.retries = tries - 1;
  },
});
