import { kindByCollection, type ImportItem } from '@sluice/model';
import YAML from 'yaml';
import type { ApisixIssue } from './apisix-issue.js';
import { isPlainObject } from './apisix-issue.js';
import { APISIX_RESOURCES, apisixResource, apisixResourceOf, fromApisix, toApisix } from './apisix-resources.js';

/** Top-level keys of an APISIX standalone file that have no Sluice counterpart, and why. */
export const NOT_CARRIED: Readonly<Record<string, string>> = {
  plugins: 'the plugins a gateway loads are not configuration in Sluice (custom plugins come from --plugins-dir)',
  stream_plugins: 'see plugins',
  plugin_metadata: "plugin metadata is not supported: put the settings in each plugin's config",
  consumer_groups: 'consumer groups are not supported: put the plugins on each consumer',
  protos: 'gRPC transcoding is not supported',
  secrets: 'secret managers are not supported: write the values into the documents',
};

/** What becomes of one object of the file. */
export interface ImportOutcome {
  /** `routes/1` as the file names it. */
  object: string;
  /** `routes/1` as Sluice stores it, when it converts. */
  becomes?: string;
  issues: ApisixIssue[];
}

export interface StandaloneImport {
  /** The documents to import (`POST /api/v1/import`), only when every object converted. */
  items: ImportItem[];
  outcomes: ImportOutcome[];
}

/**
 * An APISIX standalone file (`conf/apisix.yaml`, YAML or JSON, `#END` optional) → Sluice import
 * items, with what becomes of each object. Every object must convert for the import to be
 * offered: a migration that silently left out one route would be worse than one that stops.
 */
export function convertStandalone(text: string): StandaloneImport {
  let parsed: unknown;
  try {
    parsed = YAML.parse(text.replace(/^#END\s*$/m, ''));
  } catch (err) {
    throw new Error(`not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isPlainObject(parsed)) throw new Error('an APISIX standalone file is a mapping of resources (routes:, upstreams:, ...)');
  const outcomes: ImportOutcome[] = [];
  const items: ImportItem[] = [];
  for (const [key, list] of Object.entries(parsed)) {
    const resource = apisixResource(key);
    if (!resource) {
      outcomes.push({ object: key, issues: [{ field: key, message: NOT_CARRIED[key] ?? 'is not an APISIX resource Sluice knows' }] });
      continue;
    }
    if (!Array.isArray(list)) {
      outcomes.push({ object: key, issues: [{ field: key, message: 'must be a list' }] });
      continue;
    }
    list.forEach((raw, index) => {
      const body = (isPlainObject(raw) ? raw : {}) as Record<string, unknown>;
      const rawId = key === 'consumers' ? body.username : body.id;
      const object = `${key}/${rawId ?? `#${index}`}`;
      if (rawId === undefined || rawId === '') {
        outcomes.push({
          object,
          issues: [{ field: key === 'consumers' ? 'username' : 'id', message: 'is required: Sluice keeps APISIX ids as document ids' }],
        });
        return;
      }
      const id = String(rawId);
      const { doc, issues } = fromApisix(resource, id, withoutId(body, key));
      if (!doc) {
        outcomes.push({ object, issues });
        return;
      }
      outcomes.push({ object, becomes: `${resource.collection}/${id}`, issues: [] });
      items.push({ collection: resource.collection, id, document: { ...doc, owner: { kind: 'admin' } } });
    });
  }
  const refused = outcomes.some((o) => o.issues.length > 0);
  return { items: refused ? [] : items, outcomes };
}

/**
 * Sluice documents (as `GET /api/v1/export` gives them) → an APISIX standalone file, and what
 * APISIX cannot say (left out, to be told on stderr).
 */
export function composeStandalone(items: readonly ImportItem[]): { text: string; unsaid: string[] } {
  const unsaid: string[] = [];
  const file: Record<string, unknown[]> = {};
  for (const resource of APISIX_RESOURCES) {
    const docs = items.filter((i) => i.collection === resource.collection).sort((a, b) => a.id.localeCompare(b.id));
    if (docs.length) file[resource.name] = docs.map((i) => toApisix(resource, i.document, (what) => unsaid.push(`${resource.name}/${i.id}: ${what}`)));
  }
  for (const item of items) {
    if (!apisixResourceOf(item.collection) && kindByCollection(item.collection)?.adminWritable)
      unsaid.push(`${item.collection}/${item.id}: APISIX has no ${kindByCollection(item.collection)!.kind}s`);
  }
  return { text: `${YAML.stringify(file, { lineWidth: 0 })}#END\n`, unsaid };
}

/** The body without its key field (the key travels as the id). */
function withoutId(body: Record<string, unknown>, key: string): Record<string, unknown> {
  if (key === 'consumers') return body;
  const { id: _, ...rest } = body;
  return rest;
}
