import { basicAuthPlugin } from './basic-auth.js';
import { clientControlPlugin } from './client-control.js';
import { clientTrafficPlugin } from './client-traffic.js';
import { corsPlugin } from './cors.js';
import { faultInjectionPlugin } from './fault-injection.js';
import { fileLoggerPlugin } from './file-logger.js';
import { httpLoggerPlugin } from './http-logger.js';
import { ipRestrictionPlugin } from './ip-restriction.js';
import { keyAuthPlugin } from './key-auth.js';
import { limitCountPlugin } from './limit-count.js';
import { apiBreakerPlugin } from './api-breaker.js';
import { forwardAuthPlugin } from './forward-auth.js';
import { jwtAuthPlugin } from './jwt-auth.js';
import { limitConnPlugin } from './limit-conn.js';
import { limitReqPlugin } from './limit-req.js';
import { opentelemetryPlugin } from './opentelemetry.js';
import type { Plugin } from './plugin.js';
import { proxyRewritePlugin } from './proxy-rewrite.js';
import { redirectPlugin } from './redirect.js';
import { trafficSplitPlugin } from './traffic-split.js';
import { requestMirrorPlugin } from './request-mirror.js';
import { brotliPlugin, gzipPlugin } from './compression.js';
import { requestIdPlugin } from './request-id.js';
import { responseRewritePlugin } from './response-rewrite.js';
import { errorPagesPlugin } from './error-pages.js';
import { realIpPlugin } from './real-ip.js';
import { clientCertHeadersPlugin } from './client-cert-headers.js';

/** Every built-in implementation; each is bound to the model spec of the same name. */
export const builtinPlugins: readonly Plugin[] = [
  basicAuthPlugin,
  clientControlPlugin,
  clientTrafficPlugin,
  corsPlugin,
  faultInjectionPlugin,
  fileLoggerPlugin,
  httpLoggerPlugin,
  ipRestrictionPlugin,
  keyAuthPlugin,
  limitCountPlugin,
  jwtAuthPlugin,
  forwardAuthPlugin,
  limitReqPlugin,
  limitConnPlugin,
  apiBreakerPlugin,
  opentelemetryPlugin,
  proxyRewritePlugin,
  redirectPlugin,
  trafficSplitPlugin,
  requestMirrorPlugin,
  gzipPlugin,
  brotliPlugin,
  requestIdPlugin,
  responseRewritePlugin,
  errorPagesPlugin,
  realIpPlugin,
  clientCertHeadersPlugin,
];
