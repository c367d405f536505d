import { pluginIssues, validateSchema, type ValidationIssue } from '@sluice/model';
import { RoutePolicySpec } from './crd-schemas.js';

/**
 * The model's verdict on a RoutePolicy spec: its shape, then each plugin config against that
 * plugin's schema and cross-field check (as the admin API checks a route's plugins). Paths
 * start at `/spec`. The CRD schema says the same (crd-schema.test.ts keeps them in step).
 */
export function validateRoutePolicy(spec: unknown): ValidationIssue[] {
  const shape = validateSchema(RoutePolicySpec, spec);
  const plugins = shape.some((i) => i.path.startsWith('/plugins')) ? [] : pluginIssues(spec as { plugins?: unknown }, 'route');
  return [...shape, ...plugins].map((i) => ({ path: `/spec${i.path === '/' ? '' : i.path}`, message: i.message }));
}
