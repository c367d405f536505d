import type { InlineUpstream, Upstream } from '@sluice/model';
import { createChashPicker } from './chash.js';
import { createEwmaPicker } from './ewma.js';
import { createLeastConnPicker } from './least-conn.js';
import { createRoundRobinPicker } from './round-robin.js';
import type { NodeRef, Picker } from './types.js';

/** The picker for `upstream.type` (default: smooth weighted round robin). */
export function createPicker(nodes: readonly NodeRef[], upstream: Upstream | InlineUpstream): Picker {
  switch (upstream.type) {
    case 'least_conn':
      return createLeastConnPicker(nodes, upstream);
    case 'chash':
      return createChashPicker(nodes, upstream);
    case 'ewma':
      return createEwmaPicker(nodes, upstream);
    case 'roundrobin':
    case undefined:
    default:
      return createRoundRobinPicker(nodes, upstream);
  }
}
