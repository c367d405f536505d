import type { PluginSpec } from '../plugin-spec.js';
import { basicAuthSpec } from './basic-auth.js';
import { clientControlSpec } from './client-control.js';
import { corsSpec } from './cors.js';
import { faultInjectionSpec } from './fault-injection.js';
import { ipRestrictionSpec } from './ip-restriction.js';
import { keyAuthSpec } from './key-auth.js';
import { limitCountSpec } from './limit-count.js';
import { proxyRewriteSpec } from './proxy-rewrite.js';
import { redirectSpec } from './redirect.js';
import { requestIdSpec } from './request-id.js';
import { responseRewriteSpec } from './response-rewrite.js';

/** The built-in plugins, highest priority first. */
export const pluginSpecs: readonly PluginSpec[] = (
  [
    clientControlSpec,
    requestIdSpec,
    faultInjectionSpec,
    corsSpec,
    ipRestrictionSpec,
    basicAuthSpec,
    keyAuthSpec,
    proxyRewriteSpec,
    limitCountSpec,
    redirectSpec,
    responseRewriteSpec,
  ] as PluginSpec[]
).sort((a, b) => b.priority - a.priority);

const byName = new Map(pluginSpecs.map((s) => [s.name, s]));

export function pluginSpecByName(name: string): PluginSpec | undefined {
  return byName.get(name);
}

/** Every spec known here: the built-ins plus the ones registered at run time, by priority. */
export function allPluginSpecs(): PluginSpec[] {
  return [...byName.values()].sort((a, b) => b.priority - a.priority);
}

/**
 * Makes a custom plugin (data plane `--plugins-dir`) known to validation, so documents using
 * it are accepted. A built-in name cannot be replaced.
 */
export function registerPluginSpec(spec: PluginSpec): void {
  const known = byName.get(spec.name);
  if (known && pluginSpecs.includes(known)) throw new Error(`plugin ${spec.name} is built in and cannot be replaced`);
  byName.set(spec.name, spec);
}

export {
  basicAuthSpec,
  clientControlSpec,
  corsSpec,
  faultInjectionSpec,
  ipRestrictionSpec,
  keyAuthSpec,
  limitCountSpec,
  proxyRewriteSpec,
  redirectSpec,
  requestIdSpec,
  responseRewriteSpec,
};
export { HeaderEdits } from './header-edits.js';
