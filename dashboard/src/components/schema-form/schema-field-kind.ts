import type { JsonSchema } from '../../api/admin-api';

/** How a JSON Schema node is edited in a generated form. */
export type SchemaFieldKind =
  | { kind: 'string'; multiline: boolean }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: (string | number)[] }
  /** A write-only string (password, key): a password input that never shows the stored value. */
  | { kind: 'secret' }
  /** An array of strings and/or numbers (each item a string, a number, or one of literal choices): one per line. */
  | { kind: 'list'; numbers: boolean; strings: boolean }
  | { kind: 'object'; properties: [string, JsonSchema][]; required: Set<string> }
  /** Anything a simple input cannot carry (unions of objects, maps, arrays of objects): a JSON box. */
  | { kind: 'json' };

/**
 * Picks the input for a schema node as TypeBox emits it: `type`, `enum`, and unions of
 * literals as `anyOf: [{const}]`. Unknown shapes fall back to JSON so nothing is uneditable.
 */
export function schemaFieldKind(schema: JsonSchema): SchemaFieldKind {
  const literals = literalOptions(schema);
  if (literals) return { kind: 'enum', options: literals };
  switch (schema.type) {
    case 'string':
      if (schema.writeOnly === true) return { kind: 'secret' };
      return { kind: 'string', multiline: (schema.maxLength ?? 0) > 1024 };
    case 'integer':
    case 'number':
      return { kind: 'number', integer: schema.type === 'integer' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array': {
      const items = scalarItems(schema.items);
      return items && !schema.items?.writeOnly ? { kind: 'list', ...items } : { kind: 'json' };
    }
    case 'object':
      // A map (patternProperties / additionalProperties schema) has no fixed fields to lay out.
      if (!schema.properties || Object.keys(schema.properties).length === 0) return { kind: 'json' };
      return { kind: 'object', properties: Object.entries(schema.properties) as [string, JsonSchema][], required: new Set(schema.required ?? []) };
    default:
      return { kind: 'json' };
  }
}

/** What list items may be: strings, numbers or both (unions of literals and integers, as retryOn); undefined for anything else. */
function scalarItems(items: JsonSchema | undefined): { numbers: boolean; strings: boolean } | undefined {
  if (!items) return undefined;
  const branches: JsonSchema[] = items.anyOf ?? items.oneOf ?? [items];
  let numbers = false;
  let strings = false;
  for (const b of branches) {
    const t = b.const !== undefined ? typeof b.const : b.type;
    if (t === 'number' || t === 'integer') numbers = true;
    else if (t === 'string') strings = true;
    else return undefined;
  }
  return { numbers, strings };
}

function literalOptions(schema: JsonSchema): (string | number)[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  const union = schema.anyOf ?? schema.oneOf;
  if (!Array.isArray(union) || union.length === 0) return undefined;
  if (!union.every((s: JsonSchema) => s.const !== undefined && (typeof s.const === 'string' || typeof s.const === 'number'))) return undefined;
  return union.map((s: JsonSchema) => s.const);
}

/** "rejectedCode" → "Rejected code", for labels. */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A JSON pointer segment (RFC 6901). */
export function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}
