import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

const Percentage = Type.Optional(Type.Number({ minimum: 0, maximum: 100, default: 100, description: 'share of requests affected' }));

export const faultInjectionSpec = definePluginSpec({
  name: 'fault-injection',
  priority: 11000,
  version: '1.0',
  description: 'Injects failures for resilience testing: answers with an error, or delays requests.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      abort: Type.Optional(
        Type.Object(
          {
            httpStatus: Type.Integer({ minimum: 200, maximum: 599 }),
            body: Type.Optional(Type.String({ maxLength: 65_536 })),
            headers: Type.Optional(Type.Record(Type.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }), Type.String({ pattern: '^[^\\r\\n]*$' }))),
            percentage: Percentage,
          },
          { additionalProperties: false },
        ),
      ),
      delay: Type.Optional(
        Type.Object(
          {
            duration: Type.Number({ exclusiveMinimum: 0, maximum: 300, description: 'seconds' }),
            percentage: Percentage,
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  check: (c) => (c.abort || c.delay ? [] : [{ path: '/', message: 'needs abort or delay' }]),
  example: { abort: { httpStatus: 503, body: 'injected fault\n', percentage: 10 }, delay: { duration: 0.5, percentage: 20 } },
  notes: ['The delay happens first, then the abort, each drawn independently (as in APISIX).'],
});
