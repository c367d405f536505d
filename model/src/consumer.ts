import { Type, type Static } from '@sinclair/typebox';
import { metaFields } from './meta.js';
import { PluginMap } from './route.js';

/** A client identity; its `plugins` hold credentials (basic-auth, key-auth, jwt-auth, ...). Keyed by username. */
export const Consumer = Type.Object(
  {
    ...metaFields,
    username: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
    plugins: Type.Optional(PluginMap),
  },
  { additionalProperties: false, title: 'Consumer' },
);
export type Consumer = Static<typeof Consumer>;
