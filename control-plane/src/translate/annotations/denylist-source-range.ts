import { NGINX, defineAnnotation, splitList } from './annotation.js';
import { validateCidrList } from './source-ranges.js';

export const denylistSourceRange = defineAnnotation({
  key: `${NGINX}denylist-source-range`,
  validate: validateCidrList,
  scope: 'location',
  risk: 'low',
  support: 'partly',
  doc: '`ip-restriction.blacklist`: these clients get 403. Ignored (with a warning) when an allowlist is also set, as one route holds one ip-restriction.',
  apply: ({ value, route, warn }) => {
    if (route.plugins['ip-restriction']) return warn(`${NGINX}denylist-source-range ignored on ${route.name}: an allowlist is set`);
    route.plugins['ip-restriction'] = { blacklist: splitList(value) };
  },
});
