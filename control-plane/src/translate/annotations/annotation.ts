import type { V1Ingress } from '@kubernetes/client-node';
import type { RouteDraft } from '../route-draft.js';
import type { Resources } from '../types.js';

export const NGINX = 'nginx.ingress.kubernetes.io/';

/** What an annotation's `apply` sees: one route draft of the Ingress that carries it. */
export interface AnnotationContext {
  value: string;
  ingress: V1Ingress;
  route: RouteDraft;
  /** Another annotation on the same Ingress, only when it is present and valid. */
  annotation(key: string): string | undefined;
  resources: Resources;
  warn(message: string): void;
}

/** A declared Ingress annotation (STYLE.md principle 17, as ingress-nginx declares its own). */
export interface IngressAnnotation {
  /** Full key, e.g. "nginx.ingress.kubernetes.io/rewrite-target". */
  key: string;
  /** An error message, or undefined when the value is usable. */
  validate(value: string): string | undefined;
  /** ingress-nginx's scope: a whole Ingress (server) or each path (location). */
  scope: 'ingress' | 'location';
  /** What a wrong value can do to traffic (ingress-nginx's risk levels). */
  risk: 'low' | 'medium' | 'high';
  /** How it maps onto Sluice, for docs/ingress-nginx-migration.md. */
  doc: string;
  /** 'partly' when some of the ingress-nginx behaviour is missing (doc says which). */
  support: 'supported' | 'partly' | 'refused';
  /** Value used when the annotation is absent (ssl-redirect is on by default). */
  default?: string;
  /** Applied to each route of the Ingress; companions (read by another annotation) do nothing here. */
  apply(ctx: AnnotationContext): void;
}

export function defineAnnotation(a: IngressAnnotation): IngressAnnotation {
  return a;
}

/** Shared value checks, returning ingress-nginx-like messages. */
export const check = {
  boolean: (v: string) => (v === 'true' || v === 'false' ? undefined : `must be "true" or "false", got ${JSON.stringify(v)}`),
  integer:
    (min: number, max = Number.MAX_SAFE_INTEGER) =>
    (v: string) =>
      /^-?\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? undefined : `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
  nonEmpty: (v: string) => (v.trim() ? undefined : 'must not be empty'),
  path: (v: string) => (v.startsWith('/') && !/[\s]/.test(v) ? undefined : `must be a path starting with /, got ${JSON.stringify(v)}`),
  url: (v: string) => (/^https?:\/\/[^\s/?#]+/.test(v) ? undefined : `must be an http:// or https:// URL, got ${JSON.stringify(v)}`),
  headerList: (v: string) =>
    v.split(',').every((h) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.trim()))
      ? undefined
      : `must be a comma-separated list of header names, got ${JSON.stringify(v)}`,
};

/** "a, b ,c" → ["a","b","c"] */
export function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Merges into a plugin config already on the route (two annotations may feed one plugin). */
export function mergePlugin(route: RouteDraft, name: string, config: Record<string, unknown>): void {
  route.plugins[name] = { ...((route.plugins[name] as Record<string, unknown> | undefined) ?? {}), ...config };
}
