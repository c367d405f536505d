import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';
import { BackendRef, PluginMap } from './route.js';
import { InlineUpstream } from './upstream.js';

/**
 * Settings several routes share (APISIX's Service): a route that names it with `serviceId`
 * takes its hosts when it has none, its upstream when it has none, its plugins under its own
 * (route > plugin config > service > global rules, as APISIX merges them) and its `websocket`
 * when it sets none. The data plane resolves this when it loads the documents, so a change
 * here applies to every route that names the service. Nothing else (a plugin config, an
 * upstream) could carry hosts, an upstream and plugins together.
 */
export const Service = Type.Object(
  {
    ...metaFields,
    /** Hosts for the routes that set none (exact or `*.suffix`). */
    hosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: 1000 })),
    /** The upstream of routes that have neither `backends` nor `upstream`. */
    backends: Type.Optional(Type.Array(BackendRef, { maxItems: 100 })),
    upstream: Type.Optional(InlineUpstream),
    /** Plugins of every route naming the service, below the route's own and its plugin config's. */
    plugins: Type.Optional(PluginMap),
    /** WebSocket for routes that do not say (a route's default is true). */
    websocket: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'Service' },
);
export type Service = Static<typeof Service>;
