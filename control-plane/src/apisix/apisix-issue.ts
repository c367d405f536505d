/**
 * Something in an APISIX document Sluice cannot honour, named by its APISIX field path
 * (`upstream.hash_on`, `plugins.limit-count.time_window`, `vars[1]`).
 */
export interface ApisixIssue {
  field: string;
  message: string;
}

/** Collects issues under a field path, so nested converters name fields the way APISIX users wrote them. */
export class IssueList {
  readonly items: ApisixIssue[] = [];

  add(field: string, message: string): void {
    this.items.push({ field, message });
  }
}

/** `a.b` + `c` → `a.b.c`; an index or a map key in brackets. */
export function fieldPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
