// Writes docs/DOCUMENTS.md from the schemas in @sluice/model, so the field reference can
// never drift from what the admin API and the data plane accept. Run: npm run docs
import fs from 'node:fs';
import { kinds } from '@sluice/model';

function typeOf(s) {
  if (s.anyOf) return s.anyOf.map((x) => (x.const !== undefined ? JSON.stringify(x.const) : typeOf(x))).join(' \\| ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]`;
  if (s.type === 'object' && s.patternProperties) return 'map';
  return s.type ?? 'any';
}

function rows(schema, path, out) {
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const p = path ? `${path}.${name}` : name;
    const required = (schema.required ?? []).includes(name) ? 'yes' : '';
    const notes = [
      s.description,
      s.writeOnly && !/write-only/.test(s.description ?? '') ? 'write-only (answers show the placeholder `<stored secret>`)' : '',
      s.default !== undefined ? `default ${JSON.stringify(s.default)}` : '',
      s.pattern ? `pattern \`${s.pattern}\`` : '',
      s.minimum !== undefined ? `min ${s.minimum}` : '',
      s.maximum !== undefined ? `max ${s.maximum}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    out.push(`| \`${p}\` | ${typeOf(s)} | ${required} | ${notes} |`);
    if (s.type === 'object' && s.properties) rows(s, p, out);
    if (s.type === 'array' && s.items?.properties) rows(s.items, `${p}[]`, out);
  }
}

const out = [
  '# Documents',
  '',
  'Generated from the schemas in `model/src/` by `npm run docs`; do not edit by hand.',
  'Keys: `<prefix>/<collection>/<id>` (default prefix `/gateway`). Values: JSON, camelCase.',
  'Durations are in seconds. Unknown fields are refused.',
  '',
];
for (const k of kinds) {
  out.push(
    `## ${k.kind} — \`${k.collection}\``,
    '',
    k.adminWritable ? `Admin API: \`/api/v1/${k.collection}\`.` : 'Written by the system; read-only in the admin API.',
    '',
  );
  out.push('| field | type | required | notes |', '|---|---|---|---|');
  rows(k.schema, '', out);
  out.push('');
}
fs.writeFileSync(new URL('../docs/DOCUMENTS.md', import.meta.url), out.join('\n'));
console.log('wrote docs/DOCUMENTS.md');
