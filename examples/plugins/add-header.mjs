// A custom Sluice plugin: load it with `gateway data-plane --plugins-dir examples/plugins`.
// It exports a spec (the same shape as the built-ins in model/src/plugins/, with a plain JSON
// Schema) and phase functions; see data-plane/src/plugins/README.md for the contract.

export const spec = {
  name: 'add-header',
  priority: 500,
  version: '1.0.0',
  description: 'Adds a fixed header to the upstream request and to the response.',
  attachTo: ['route', 'plugin-config', 'global-rule'],
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", default: 'X-Added-By' },
      value: { type: 'string', pattern: '^[^\\r\\n]*$' },
      toUpstream: { type: 'boolean', default: true },
      toResponse: { type: 'boolean', default: true },
    },
    required: ['value'],
    additionalProperties: false,
  },
  example: { name: 'X-Added-By', value: 'sluice' },
};

/** Runs once per route when the config is compiled: precompute everything here. */
export function prepare(config) {
  return {
    name: config.name ?? 'X-Added-By',
    value: config.value,
    toUpstream: config.toUpstream ?? true,
    toResponse: config.toResponse ?? true,
  };
}

/** Request phase: ask the proxy to send the header upstream. Sync, so it costs no Promise. */
export function rewrite(ctx, c) {
  if (c.toUpstream) ctx.setUpstreamHeader(c.name, c.value);
}

/** Response phase: `response.headers` is the flat raw header array. */
export function headerFilter(_ctx, c, response) {
  if (c.toResponse) response.headers.push(c.name, c.value);
}
