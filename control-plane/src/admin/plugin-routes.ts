import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError, allPluginSpecs, pluginSpecByName, type PluginSpec } from '@sluice/model';
import { API_ROOT } from './document-routes.js';

/** A plugin as the dashboard needs it to build a form: the JSON Schemas as plain JSON. */
export interface PluginDescription {
  name: string;
  priority: number;
  version: string;
  type?: 'auth';
  description: string;
  attachTo: readonly string[];
  schema: unknown;
  consumerSchema?: unknown;
  example: unknown;
  notes?: readonly string[];
}

/** `GET /api/v1/plugins` and `GET /api/v1/plugins/<name>`: every known plugin with its schema. */
export async function pluginRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['plugins'];
  app.get(`${API_ROOT}/plugins`, { schema: { tags, summary: 'List the plugins with their config schemas' } }, async () => {
    const items = allPluginSpecs().map(describePlugin);
    return { items, total: items.length };
  });

  app.get(
    `${API_ROOT}/plugins/:name`,
    { schema: { tags, summary: 'One plugin with its config schema', params: { type: 'object', properties: { name: { type: 'string' } } } } },
    async (request: FastifyRequest<{ Params: { name: string } }>) => {
      const spec = pluginSpecByName(request.params.name);
      if (!spec) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: 'plugin', id: request.params.name });
      return describePlugin(spec);
    },
  );
}

function describePlugin(spec: PluginSpec): PluginDescription {
  return {
    name: spec.name,
    priority: spec.priority,
    version: spec.version,
    ...(spec.type ? { type: spec.type } : {}),
    description: spec.description,
    attachTo: spec.attachTo,
    schema: plainJson(spec.schema),
    ...(spec.consumerSchema ? { consumerSchema: plainJson(spec.consumerSchema) } : {}),
    example: spec.example,
    ...(spec.notes ? { notes: spec.notes } : {}),
  };
}

/** A JSON copy drops TypeBox's symbol keys. */
function plainJson(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}
