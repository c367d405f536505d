import { NGINX, defineAnnotation, splitList } from './annotation.js';
import { validateCidrList } from './source-ranges.js';

export const whitelistSourceRange = defineAnnotation({
  key: `${NGINX}whitelist-source-range`,
  validate: validateCidrList,
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`ip-restriction.whitelist`: other clients get 403. Wins over denylist-source-range when both are set.',
  apply: ({ value, route }) => {
    route.plugins['ip-restriction'] = { whitelist: splitList(value) };
  },
});
