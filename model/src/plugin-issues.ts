import type { TSchema } from '@sinclair/typebox';
import type { PluginAttachment, PluginSpec } from './plugin-spec.js';
import { pluginSpecByName } from './plugins/index.js';
import { validateSchema, type ValidationIssue } from './validate.js';

/**
 * Checks every entry of a document's `plugins` map against its plugin's spec: the name must
 * be known and allowed on this kind of document, the config must fit the schema (the consumer
 * schema on consumers) and the spec's own cross-field check. Paths are `/plugins/<name>/...`.
 */
export function pluginIssues(doc: { plugins?: unknown }, attachment: PluginAttachment): ValidationIssue[] {
  const plugins = doc.plugins as Record<string, unknown> | undefined;
  if (!plugins) return [];
  const issues: ValidationIssue[] = [];
  for (const [name, config] of Object.entries(plugins)) {
    const base = `/plugins/${escapePointer(name)}`;
    const spec = pluginSpecByName(name);
    if (!spec) {
      issues.push({ path: base, message: `is not a known plugin` });
      continue;
    }
    if (!spec.attachTo.includes(attachment)) {
      issues.push({ path: base, message: `cannot be attached to a ${attachment} (only to ${spec.attachTo.join(', ')})` });
      continue;
    }
    const schema = pluginConfigSchema(spec, attachment);
    let found = validateSchema(schema, config);
    if (!found.length && spec.check && schema === spec.schema) found = spec.check(config as never);
    else if (!found.length && spec.consumerCheck && schema === spec.consumerSchema) found = spec.consumerCheck(config);
    for (const issue of found) issues.push({ path: issue.path === '/' ? base : base + issue.path, message: issue.message });
  }
  return issues;
}

/** The schema a plugin's config follows where it is attached: on a consumer, the credential's. */
export function pluginConfigSchema(spec: PluginSpec, attachment: PluginAttachment): TSchema {
  return attachment === 'consumer' && spec.consumerSchema ? spec.consumerSchema : spec.schema;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The upstreams a document's plugins name (through their spec's `upstreamRefs`), as
 * references: the admin API checks they exist and guards them against deletion.
 */
export function pluginUpstreamRefs(doc: { plugins?: unknown }): { collection: string; id: string; path: string }[] {
  const plugins = doc.plugins as Record<string, unknown> | undefined;
  if (!plugins) return [];
  const refs: { collection: string; id: string; path: string }[] = [];
  for (const [name, config] of Object.entries(plugins)) {
    const spec = pluginSpecByName(name);
    if (!spec?.upstreamRefs) continue;
    for (const id of spec.upstreamRefs(config as never)) refs.push({ collection: 'upstreams', id, path: `/plugins/${escapePointer(name)}` });
  }
  return refs;
}
