import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';
import { PluginMap } from './route.js';

/** A reusable set of plugin configs a route refers to with `pluginConfigId`. */
export const PluginConfig = Type.Object({ ...metaFields, plugins: PluginMap }, { additionalProperties: false, title: 'PluginConfig' });
export type PluginConfig = Static<typeof PluginConfig>;

/** Plugins that run for every request, before the route's own. */
export const GlobalRule = Type.Object({ ...metaFields, plugins: PluginMap }, { additionalProperties: false, title: 'GlobalRule' });
export type GlobalRule = Static<typeof GlobalRule>;
