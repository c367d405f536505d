import { clientTrafficSpec } from '@sluice/model';
import { definePlugin } from './plugin.js';

/**
 * client-traffic has no request phases: it shapes what happens before a route is chosen, so
 * the table compiler reads its config from the global rules (see compile/client-traffic.ts)
 * and the front and the request pipeline apply it. Bound here so its documents validate
 * and its name is known like every other plugin's.
 */
export const clientTrafficPlugin = definePlugin({
  spec: clientTrafficSpec,
});
