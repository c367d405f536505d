import type { KindSpec } from './kinds.js';
import { escapePointer, pluginConfigSchema } from './plugin-issues.js';
import { pluginSpecByName } from './plugins/index.js';
import type { ValidationIssue } from './validate.js';
import { SECRET_PLACEHOLDER } from './secret-placeholder.js';

export { SECRET_PLACEHOLDER } from './secret-placeholder.js';

/**
 * What every answer carries in place of a secret (a schema node marked `writeOnly: true`:
 * private keys, passwords, API keys of consumers, Redis passwords...). Sent back unchanged it
 * means "keep the stored value", so a document read, edited and written back keeps its secrets.
 */

/** A secret a document holds: where (JSON pointer) and whether its schema requires the field. */
export interface SecretField {
  pointer: string;
  required: boolean;
}

type Schema = Record<string, any>;
type Doc = Record<string, unknown>;

/**
 * Where a document holds secrets: the fields whose schema node is `writeOnly`, in the kind's
 * schema and in the configs of its plugins (each by its plugin's schema for this kind). The
 * model is the one place that marks a field secret; everything that shows documents asks here.
 */
export function secretFields(spec: KindSpec, doc: Doc): SecretField[] {
  const found = new Map<string, SecretField>();
  walk(spec.schema as Schema, doc, '', false, found);
  const plugins = doc.plugins;
  if (spec.plugins && isObject(plugins)) {
    for (const [name, config] of Object.entries(plugins)) {
      const plugin = pluginSpecByName(name);
      if (plugin) walk(pluginConfigSchema(plugin, spec.plugins) as Schema, config, `/plugins/${escapePointer(name)}`, false, found);
    }
  }
  return [...found.values()];
}

/** The document as every answer shows it: each secret replaced by SECRET_PLACEHOLDER. */
export function redactSecrets<T extends Doc | undefined>(spec: KindSpec, doc: T): T {
  if (doc === undefined) return doc;
  const fields = secretFields(spec, doc);
  if (fields.length === 0) return doc;
  const out = structuredClone(doc) as Doc;
  for (const { pointer } of fields) setAt(out, pointer, SECRET_PLACEHOLDER);
  return out as T;
}

/**
 * What a client sent, with each SECRET_PLACEHOLDER replaced by the stored secret at the same
 * place, and a secret the schema requires but the client left out taken from the stored
 * version (its parent still there): "write-only" means a client never has to know a secret to
 * edit around it. A placeholder where nothing is stored is an issue naming the field.
 */
export function keepStoredSecrets(spec: KindSpec, input: Doc, stored: Doc | undefined): { doc: Doc; issues: ValidationIssue[] } {
  const doc = structuredClone(input);
  const issues: ValidationIssue[] = [];
  for (const { pointer } of secretFields(spec, doc)) {
    if (getAt(doc, pointer) !== SECRET_PLACEHOLDER) continue;
    const kept = stored === undefined ? undefined : getAt(stored, pointer);
    if (kept === undefined || kept === SECRET_PLACEHOLDER)
      issues.push({ path: pointer, message: `is ${SECRET_PLACEHOLDER}, but no secret is stored there: give the value itself` });
    else setAt(doc, pointer, kept);
  }
  if (stored !== undefined) {
    for (const { pointer, required } of secretFields(spec, stored)) {
      if (required && getAt(doc, pointer) === undefined && isObject(getAt(doc, parentOf(pointer)))) setAt(doc, pointer, getAt(stored, pointer));
    }
  }
  return { doc, issues };
}

function walk(schema: Schema | undefined, value: unknown, pointer: string, required: boolean, found: Map<string, SecretField>): void {
  if (!isObject(schema) || value === undefined) return;
  if (schema.writeOnly === true) {
    found.set(pointer, { pointer, required: required || found.get(pointer)?.required === true });
    return;
  }
  // A union's branches are all looked at: a secret in any shape the value may have is a secret.
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) walk(branch, value, pointer, required, found);
  if (Array.isArray(value)) {
    if (isObject(schema.items)) value.forEach((item, i) => walk(schema.items, item, `${pointer}/${i}`, false, found));
    return;
  }
  if (!isObject(value)) return;
  const requiredFields = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
  for (const [key, sub] of Object.entries(value)) walk(propertySchema(schema, key), sub, `${pointer}/${escapePointer(key)}`, requiredFields.has(key), found);
}

function propertySchema(schema: Schema, key: string): Schema | undefined {
  if (isObject(schema.properties) && key in schema.properties) return schema.properties[key];
  if (isObject(schema.patternProperties)) {
    for (const [pattern, sub] of Object.entries(schema.patternProperties)) if (new RegExp(pattern, 'u').test(key)) return sub as Schema;
  }
  return isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function segments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

function getAt(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const segment of segments(pointer)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Sets an existing place (a secret's parent is always there: it was found in this document or its twin). */
function setAt(doc: Doc, pointer: string, value: unknown): void {
  const path = segments(pointer);
  const last = path.pop();
  const parent = getAt(doc, path.length ? `/${path.map(escapePointer).join('/')}` : '');
  if (last !== undefined && typeof parent === 'object' && parent !== null) (parent as Record<string, unknown>)[last] = value;
}
