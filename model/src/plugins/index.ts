import type { PluginSpec } from '../plugin-spec.js';
import { basicAuthSpec } from './basic-auth.js';
import { clientControlSpec } from './client-control.js';
import { clientTrafficSpec } from './client-traffic.js';
import { corsSpec } from './cors.js';
import { faultInjectionSpec } from './fault-injection.js';
import { fileLoggerSpec } from './file-logger.js';
import { httpLoggerSpec } from './http-logger.js';
import { ipRestrictionSpec } from './ip-restriction.js';
import { keyAuthSpec } from './key-auth.js';
import { limitCountSpec } from './limit-count.js';
import { apiBreakerSpec } from './api-breaker.js';
import { forwardAuthSpec } from './forward-auth.js';
import { jwtAuthSpec } from './jwt-auth.js';
import { limitConnSpec } from './limit-conn.js';
import { limitReqSpec } from './limit-req.js';
import { opentelemetrySpec } from './opentelemetry.js';
import { proxyRewriteSpec } from './proxy-rewrite.js';
import { redirectSpec } from './redirect.js';
import { trafficSplitSpec } from './traffic-split.js';
import { requestMirrorSpec } from './request-mirror.js';
import { brotliSpec, gzipSpec } from './compression.js';
import { requestIdSpec } from './request-id.js';
import { responseRewriteSpec } from './response-rewrite.js';
import { errorPagesSpec } from './error-pages.js';
import { realIpSpec } from './real-ip.js';
import { clientCertHeadersSpec } from './client-cert-headers.js';

/** The built-in plugins, highest priority first. */
export const pluginSpecs: readonly PluginSpec[] = (
  [
    clientTrafficSpec,
    clientControlSpec,
    requestIdSpec,
    faultInjectionSpec,
    fileLoggerSpec,
    httpLoggerSpec,
    opentelemetrySpec,
    corsSpec,
    ipRestrictionSpec,
    basicAuthSpec,
    keyAuthSpec,
    proxyRewriteSpec,
    limitCountSpec,
    jwtAuthSpec,
    forwardAuthSpec,
    limitReqSpec,
    limitConnSpec,
    apiBreakerSpec,
    redirectSpec,
    trafficSplitSpec,
    requestMirrorSpec,
    gzipSpec,
    brotliSpec,
    responseRewriteSpec,
    errorPagesSpec,
    realIpSpec,
    clientCertHeadersSpec,
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
  apiBreakerSpec,
  forwardAuthSpec,
  jwtAuthSpec,
  limitConnSpec,
  limitReqSpec,
  basicAuthSpec,
  clientControlSpec,
  clientTrafficSpec,
  corsSpec,
  faultInjectionSpec,
  fileLoggerSpec,
  httpLoggerSpec,
  opentelemetrySpec,
  ipRestrictionSpec,
  keyAuthSpec,
  limitCountSpec,
  proxyRewriteSpec,
  redirectSpec,
  trafficSplitSpec,
  requestMirrorSpec,
  gzipSpec,
  brotliSpec,
  requestIdSpec,
  responseRewriteSpec,
  errorPagesSpec,
  realIpSpec,
  clientCertHeadersSpec,
};
export { HeaderEdits } from './header-edits.js';
export { defaultLogFields, logFieldNames, type LogFieldName } from './log-fields.js';
