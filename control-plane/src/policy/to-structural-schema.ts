/** A JSON Schema / OpenAPI v3 node, loosely typed: the converter walks any shape. */
export type SchemaNode = Record<string, unknown>;

/** Keywords a structural schema may keep as they are (value validations and docs). */
const KEPT = [
  'description',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'enum',
  'required',
] as const;

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

/**
 * A TypeBox (JSON Schema draft 7) schema → a Kubernetes *structural* OpenAPI v3 schema, the
 * only kind a `apiextensions.k8s.io/v1` CRD accepts:
 * - every node has a `type` (or `x-kubernetes-preserve-unknown-fields` where the model allows anything);
 * - unions of literals become `enum`, `const` becomes a one-value `enum`;
 * - `patternProperties` (TypeBox records) become `additionalProperties` (the key pattern is left to the model);
 * - `additionalProperties: false` is dropped: the API server prunes or (kubectl's strict field
 *   validation) refuses unknown fields itself;
 * - draft-7 `exclusiveMinimum: n` becomes OpenAPI's `minimum: n, exclusiveMinimum: true`;
 * - `uniqueItems` becomes `x-kubernetes-list-type: set` on scalar lists (Kubernetes forbids `uniqueItems`);
 * - `$id`, `$schema`, `default`, `format`, `title`, `examples` go: defaults are the model's job, not the
 *   API server's, so a stored object is exactly what the user wrote;
 * - unions of differing shapes (and tuples) cannot be said structurally: they keep their `type` when the
 *   branches share one, else they preserve unknown fields, and the control plane (and the admission
 *   webhook) checks them with the model.
 */
export function toStructuralSchema(input: SchemaNode): SchemaNode {
  const s = JSON.parse(JSON.stringify(input)) as SchemaNode;
  return convert(s);
}

function convert(s: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const k of KEPT) if (s[k] !== undefined) out[k] = s[k];
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;

  const union = (s.anyOf ?? s.oneOf) as SchemaNode[] | undefined;
  if (union) return { ...convertUnion(union), ...(s.description !== undefined ? { description: s.description } : {}) };
  if (s.const !== undefined) return { ...out, type: typeOfValue(s.const), enum: [s.const] };
  if (typeof s.exclusiveMinimum === 'number') Object.assign(out, { minimum: s.exclusiveMinimum, exclusiveMinimum: true });
  if (typeof s.exclusiveMaximum === 'number') Object.assign(out, { maximum: s.exclusiveMaximum, exclusiveMaximum: true });

  const type = s.type;
  if (type === undefined || Array.isArray(type)) return { ...pick(out, ['description']), [PRESERVE]: true };
  out.type = type;
  if (type === 'object') return convertObject(s, out);
  if (type === 'array') return convertArray(s, out);
  return out;
}

function convertObject(s: SchemaNode, out: SchemaNode): SchemaNode {
  const properties = s.properties as Record<string, SchemaNode> | undefined;
  const patterns = s.patternProperties as Record<string, SchemaNode> | undefined;
  const additional = s.additionalProperties;
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convert(v)]));
    // Kubernetes forbids properties next to additionalProperties: extra keys are then kept as they are.
    if (patterns || (additional && typeof additional === 'object')) out[PRESERVE] = true;
    return out;
  }
  const values = patterns ? Object.values(patterns) : additional && typeof additional === 'object' ? [additional as SchemaNode] : [];
  if (values.length === 1) out.additionalProperties = convert(values[0]);
  else if (additional !== false) out[PRESERVE] = true;
  return out;
}

function convertArray(s: SchemaNode, out: SchemaNode): SchemaNode {
  const items = s.items;
  if (Array.isArray(items)) {
    // A tuple: one item schema when every position agrees, else anything (checked by the model).
    const converted = items.map((i) => convert(i as SchemaNode));
    const same = converted.every((c) => JSON.stringify(c) === JSON.stringify(converted[0]));
    out.items = same && converted.length > 0 ? converted[0] : { [PRESERVE]: true };
  } else if (items && typeof items === 'object') {
    out.items = convert(items as SchemaNode);
  } else {
    out.items = { [PRESERVE]: true };
  }
  const itemType = (out.items as SchemaNode).type;
  if (s.uniqueItems === true && (itemType === 'string' || itemType === 'integer' || itemType === 'number' || itemType === 'boolean')) {
    out['x-kubernetes-list-type'] = 'set';
  }
  return out;
}

function convertUnion(branches: SchemaNode[]): SchemaNode {
  const converted = branches.map(convert);
  const types = new Set(converted.map((b) => b.type));
  const [type] = types;
  // Union of literals (TypeBox enums): one enum of one type.
  if (types.size === 1 && type !== undefined && converted.every((b) => Array.isArray(b.enum))) {
    return { type, enum: converted.flatMap((b) => b.enum as unknown[]) };
  }
  if (types.size === 2 && types.has('integer') && types.has('string')) return { 'x-kubernetes-int-or-string': true };
  // Same scalar type, different value rules: the type holds structurally, the branches as value validation.
  if (types.size === 1 && (type === 'string' || type === 'integer' || type === 'number')) {
    const rules = converted.map((b) => pick(b, ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'enum', 'multipleOf']));
    if (rules.every((r) => Object.keys(r).length > 0)) return { type, anyOf: rules };
    return { type };
  }
  if (type === 'array' && types.size === 1) return { type, items: { [PRESERVE]: true } };
  if (type === 'object' && types.size === 1) return { type, [PRESERVE]: true };
  if (types.size === 1 && type !== undefined) return { type };
  return { [PRESERVE]: true };
}

function typeOfValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function pick(o: SchemaNode, keys: string[]): SchemaNode {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
