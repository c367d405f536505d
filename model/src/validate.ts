import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { ValidationIssue } from './validation-issue.js';

export type { ValidationIssue } from './validation-issue.js';

// ajv ships CommonJS with a default export; NodeNext sees the module namespace.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as unknown as new (opts: object) => import('ajv').default;
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

export function compileSchema(schema: TSchema): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const fn = ajv.compile(schema);
  compiled.set(schema, fn);
  return fn;
}

/** Validates against a schema and turns Ajv's errors into readable issues, one per field. */
export function validateSchema(schema: TSchema, value: unknown): ValidationIssue[] {
  const fn = compileSchema(schema);
  if (fn(value)) return [];
  return toIssues(fn.errors ?? []);
}

function toIssues(errors: ErrorObject[]): ValidationIssue[] {
  // A union of literals (enums) fails once per branch; report it once, listing the choices.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const choices = new Map<string, unknown[]>();
  const issues: ValidationIssue[] = [];
  for (const e of errors) {
    if (anyOfPaths.has(e.instancePath) && e.keyword === 'const') {
      const list = choices.get(e.instancePath) ?? [];
      list.push((e.params as { allowedValue: unknown }).allowedValue);
      choices.set(e.instancePath, list);
      continue;
    }
    if (e.keyword === 'anyOf') continue;
    if (anyOfPaths.has(e.instancePath) && e.keyword === 'type') continue;
    let path = e.instancePath || '/';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      path = `${e.instancePath}/${prop}`;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      path = `${e.instancePath}/${prop}`;
      message = 'is required';
    }
    issues.push({ path, message });
  }
  for (const [path, allowed] of choices) {
    issues.push({ path: path || '/', message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` });
  }
  for (const path of anyOfPaths) {
    if (!choices.has(path) && !issues.some((i) => i.path.startsWith(path))) {
      issues.push({ path: path || '/', message: 'does not match any allowed form' });
    }
  }
  return dedupe(issues);
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Checks that a string compiles as a JavaScript regular expression. */
export function regexIssue(path: string, source: string | undefined): ValidationIssue[] {
  if (source === undefined) return [{ path, message: 'is required for type regex' }];
  try {
    new RegExp(source);
    return [];
  } catch (err) {
    return [{ path, message: `is not a valid regular expression: ${(err as Error).message}` }];
  }
}

export { hostIssue } from './host-issue.js';
