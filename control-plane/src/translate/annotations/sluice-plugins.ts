import { pluginIssues } from '@sluice/model';
import { defineAnnotation } from './annotation.js';

function parse(v: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Our own escape hatch: any route plugin by JSON, checked with the plugin's own schema. */
export const sluicePlugins = defineAnnotation({
  key: 'sluice.dev/plugins',
  validate: (v) => {
    const plugins = parse(v);
    if (!plugins) return 'must be a JSON object of plugin configs, e.g. {"gzip": {}}';
    const issues = pluginIssues({ plugins }, 'route');
    return issues.length ? issues.map((i) => `${i.path} ${i.message}`).join('; ') : undefined;
  },
  scope: 'location',
  risk: 'high',
  support: 'supported',
  doc: 'A JSON object `{plugin: config}` merged into every route of the Ingress (it wins over plugins made from nginx annotations).',
  apply: ({ value, route }) => Object.assign(route.plugins, parse(value)),
});
