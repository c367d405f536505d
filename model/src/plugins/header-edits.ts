import { Type, type Static } from '@sinclair/typebox';

const HeaderName = Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 256 });
const HeaderValue = Type.String({ maxLength: 8192, pattern: '^[^\\r\\n]*$' });

/** set replaces, add appends another line, remove drops; shared by the rewrite plugins. */
export const HeaderEdits = Type.Object(
  {
    set: Type.Optional(Type.Record(HeaderName, HeaderValue, { description: 'replace (or create) these headers' })),
    add: Type.Optional(Type.Record(HeaderName, HeaderValue, { description: 'append these headers' })),
    remove: Type.Optional(Type.Array(HeaderName, { maxItems: 64, description: 'drop these headers' })),
  },
  { additionalProperties: false },
);
export type HeaderEdits = Static<typeof HeaderEdits>;
