import { camelToSnake, fieldPath, isPlainObject, snakeToCamel, type IssueList } from './apisix-issue.js';

/** A JSON Schema as the model's TypeBox schemas are at run time. */
export type TSchema = { [keyword: string]: any };

interface Shape {
  /** Declared fields (camelCase) and their schemas. */
  properties: Record<string, TSchema>;
  /** The schema of a map's values (header maps, labels), whose keys are the user's and kept as they are. */
  record?: TSchema;
}

/**
 * APISIX plugin configs are snake_case, Sluice's camelCase, with the same names otherwise
 * (`time_window` ↔ `timeWindow`). The conversion follows the plugin's schema, so only declared
 * field names change case and the keys of free-form maps (header names under `headers.set`)
 * stay exactly as written. A field the schema does not declare is an issue naming it.
 */
export function configToSluice(value: unknown, schema: TSchema | undefined, at: string, issues: IssueList): unknown {
  if (Array.isArray(value)) return value.map((v, i) => configToSluice(v, schema?.items as TSchema | undefined, fieldPath(at, i), issues));
  if (!isPlainObject(value) || !schema) return value;
  const shape = shapeOf(schema);
  if (!shape) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const camel = snakeToCamel(key);
    const declared = shape.properties[camel] ? camel : shape.properties[key] ? key : undefined;
    if (declared) out[declared] = configToSluice(v, shape.properties[declared], fieldPath(at, key), issues);
    else if (shape.record) out[key] = configToSluice(v, shape.record, fieldPath(at, key), issues);
    else issues.add(fieldPath(at, key), "is not supported by Sluice's plugin of that name");
  }
  return out;
}

/** The other way: declared fields to snake_case, map keys as they are. */
export function configToApisix(value: unknown, schema: TSchema | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => configToApisix(v, schema?.items as TSchema | undefined));
  if (!isPlainObject(value) || !schema) return value;
  const shape = shapeOf(schema);
  if (!shape) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (shape.properties[key]) out[camelToSnake(key)] = configToApisix(v, shape.properties[key]);
    else out[key] = configToApisix(v, shape.record);
  }
  return out;
}

/** An object schema's fields; a union's object branches count together (a value fits one of them). */
function shapeOf(schema: TSchema): Shape | undefined {
  const branches = (schema.anyOf ?? schema.oneOf) as TSchema[] | undefined;
  if (branches) {
    const shapes = branches.map(shapeOf).filter((s): s is Shape => s !== undefined);
    if (!shapes.length) return undefined;
    return { properties: Object.assign({}, ...shapes.map((s) => s.properties)), record: shapes.find((s) => s.record)?.record };
  }
  const pattern = schema.patternProperties ? (Object.values(schema.patternProperties)[0] as TSchema) : undefined;
  const additional = isPlainObject(schema.additionalProperties) ? (schema.additionalProperties as TSchema) : undefined;
  if (!schema.properties && !pattern && !additional) return undefined;
  return { properties: (schema.properties ?? {}) as Record<string, TSchema>, record: pattern ?? additional };
}
