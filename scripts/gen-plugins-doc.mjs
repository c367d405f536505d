// Writes docs/plugins.md from the plugin specs in @sluice/model, so the reference cannot drift
// from what the admin API and the data plane accept. Run: npm run docs:plugins
import fs from 'node:fs';
import { pluginSpecs } from '@sluice/model';

function typeOf(s) {
  if (s.anyOf) return s.anyOf.map((x) => (x.const !== undefined ? JSON.stringify(x.const) : typeOf(x))).join(' \\| ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === 'array')
    return s.prefixItems || Array.isArray(s.items) ? `[${(s.prefixItems ?? s.items).map(typeOf).join(', ')}]` : `${typeOf(s.items ?? {})}[]`;
  if (s.type === 'object' && s.patternProperties) return 'map';
  return s.type ?? 'any';
}

function rows(schema, path, out) {
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const p = path ? `${path}.${name}` : name;
    const required = (schema.required ?? []).includes(name) ? 'yes' : '';
    const notes = [
      s.description,
      s.writeOnly || s.items?.writeOnly || s.patternProperties?.['^(.*)$']?.writeOnly ? 'write-only (answers show the placeholder `<stored secret>`)' : '',
      s.default !== undefined ? `default ${JSON.stringify(s.default)}` : '',
      s.minimum !== undefined ? `min ${s.minimum}` : '',
      s.maximum !== undefined ? `max ${s.maximum}` : '',
    ]
      .filter(Boolean)
      .join('; ')
      .replace(/\|/g, '\\|');
    out.push(`| \`${p}\` | ${typeOf(s)} | ${required} | ${notes} |`);
    if (s.type === 'object' && s.properties) rows(s, p, out);
  }
}

function table(schema) {
  const out = ['| Field | Type | Required | Notes |', '|---|---|---|---|'];
  rows(schema, '', out);
  return out.length > 2 ? out : ['No fields.'];
}

const out = [
  '# Plugins',
  '',
  'Generated from the specs in `model/src/plugins/` by `npm run docs:plugins`; do not edit by hand.',
  'The same specs validate documents in the admin API (400 naming `/plugins/<name>/<field>`) and in',
  'the data plane (a bad config rejects only its document), and `GET /api/v1/plugins` serves them.',
  '',
  '## Where plugins come from, and which wins',
  '',
  'Plugins attach to routes, plugin configs (`pluginConfigId`), global rules and consumers. For the',
  'same plugin name: **route > plugin config > global rule** (global rules in id order, the first',
  "wins); after authentication the **consumer**'s own plugins override all of those. Unlike APISIX,",
  "global rules merge into the route's chain instead of running as a separate chain first, so a",
  'plugin never runs twice for one request and a route can override a global default. Within a',
  'phase, higher priority runs first.',
  '',
  '| Plugin | Priority | Attaches to | Description |',
  '|---|---|---|---|',
  ...pluginSpecs.map((s) => `| [\`${s.name}\`](#${s.name}) | ${s.priority} | ${s.attachTo.join(', ')} | ${s.description} |`),
  '',
];

for (const spec of pluginSpecs) {
  out.push(
    `## ${spec.name}`,
    '',
    spec.description,
    '',
    `Priority ${spec.priority}; attaches to ${spec.attachTo.join(', ')}${spec.type === 'auth' ? '; authentication plugin' : ''}.`,
    '',
  );
  out.push('### Config', '', ...table(spec.schema), '');
  if (spec.consumerSchema) out.push('### On a consumer (the credential)', '', ...table(spec.consumerSchema), '');
  out.push('### Example', '', '```json', JSON.stringify({ plugins: { [spec.name]: spec.example } }, null, 2), '```', '');
  if (spec.notes?.length) out.push('### Behaviour', '', ...spec.notes.map((n) => `- ${n}`), '');
}

fs.writeFileSync(new URL('../docs/plugins.md', import.meta.url), out.join('\n'));
console.log(`docs/plugins.md: ${pluginSpecs.length} plugins`);
