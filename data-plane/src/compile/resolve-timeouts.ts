import type { Route, Upstream } from '@sluice/model';
import type { ResolvedTimeouts } from './route-types.js';

/** DESIGN.md defaults for plain requests: connect 5 s, send 60 s, read 60 s. */
export const DEFAULT_TIMEOUTS = { connect: 5, send: 60, read: 60 } as const;

/** Quiet WebSocket connections stay open this long unless a read timeout is set explicitly. */
export const DEFAULT_UPGRADE_IDLE_SECONDS = 3600;

/** Route timeouts win over the upstream's, which win over the defaults; field by field. */
export function resolveTimeouts(route: Route, upstream: Upstream | undefined): ResolvedTimeouts {
  const r = route.timeout ?? {};
  const u = upstream?.timeout ?? {};
  const explicitRead = r.read ?? u.read;
  return {
    connectMs: (r.connect ?? u.connect ?? DEFAULT_TIMEOUTS.connect) * 1000,
    sendMs: (r.send ?? u.send ?? DEFAULT_TIMEOUTS.send) * 1000,
    readMs: (explicitRead ?? DEFAULT_TIMEOUTS.read) * 1000,
    // nginx's proxy_read_timeout also bounds idle upgraded connections; we keep that
    // meaning only when someone asked for it, and default to a long idle time otherwise.
    upgradeIdleMs: (explicitRead ?? DEFAULT_UPGRADE_IDLE_SECONDS) * 1000,
  };
}
