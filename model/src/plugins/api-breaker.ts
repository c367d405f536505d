import { Type } from '@sinclair/typebox';
import { definePluginSpec } from '../plugin-spec.js';

const statuses = (min: number, max: number, fallback: number[]) =>
  Type.Optional(Type.Array(Type.Integer({ minimum: min, maximum: max }), { minItems: 1, uniqueItems: true, default: fallback }));

export const apiBreakerSpec = definePluginSpec({
  name: 'api-breaker',
  priority: 1005,
  version: '1.0',
  description: "A circuit breaker on the upstream's statuses: after `failures` unhealthy answers the route answers breakResponseCode itself for a while.",
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: Type.Object(
    {
      breakResponseCode: Type.Integer({ minimum: 200, maximum: 599, description: 'status sent while the breaker is open' }),
      breakResponseBody: Type.Optional(Type.String({ maxLength: 65_536 })),
      breakResponseHeaders: Type.Optional(
        Type.Array(
          Type.Object(
            {
              key: Type.String({ minLength: 1, maxLength: 256, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" }),
              value: Type.String({ maxLength: 4096, pattern: '^[^\\r\\n]*$' }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 32 },
        ),
      ),
      maxBreakerSec: Type.Optional(Type.Integer({ minimum: 3, maximum: 86_400, default: 300, description: 'longest time the breaker stays open' })),
      unhealthy: Type.Optional(
        Type.Object(
          {
            httpStatuses: statuses(500, 599, [500]),
            failures: Type.Optional(Type.Integer({ minimum: 1, default: 3 })),
          },
          { additionalProperties: false },
        ),
      ),
      healthy: Type.Optional(
        Type.Object(
          {
            httpStatuses: statuses(200, 499, [200]),
            successes: Type.Optional(Type.Integer({ minimum: 1, default: 3 })),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  example: { breakResponseCode: 502, unhealthy: { httpStatuses: [500, 503], failures: 3 }, healthy: { httpStatuses: [200], successes: 3 } },
  notes: [
    'As APISIX: every `failures`-th unhealthy upstream status opens the breaker for 2^n seconds (n = unhealthy count / failures: 2, 4, 8, ... up to maxBreakerSec); while open the route answers breakResponseCode without calling the upstream.',
    'After the open time, requests go through again; `successes` healthy statuses clear all counts (closed). Statuses in neither list change nothing.',
    'Only statuses from the upstream count (a gateway 502/504 for an unreachable upstream counts too); answers of other plugins do not. State is per worker process.',
  ],
});
