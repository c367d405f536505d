import type { IngressAnnotation } from './annotation.js';
import { affinity } from './affinity.js';
import { allowlistSourceRange } from './allowlist-source-range.js';
import { appRoot } from './app-root.js';
import { authRealm } from './auth-realm.js';
import { authResponseHeaders } from './auth-response-headers.js';
import { authSecret } from './auth-secret.js';
import { authSecretType } from './auth-secret-type.js';
import { authType } from './auth-type.js';
import { authUrl } from './auth-url.js';
import { backendProtocol } from './backend-protocol.js';
import { canary } from './canary.js';
import { canaryByCookie } from './canary-by-cookie.js';
import { canaryByHeader } from './canary-by-header.js';
import { canaryByHeaderPattern } from './canary-by-header-pattern.js';
import { canaryByHeaderValue } from './canary-by-header-value.js';
import { canaryWeight } from './canary-weight.js';
import { canaryWeightTotal } from './canary-weight-total.js';
import { corsAllowCredentials } from './cors-allow-credentials.js';
import { corsAllowHeaders } from './cors-allow-headers.js';
import { corsAllowMethods } from './cors-allow-methods.js';
import { corsAllowOrigin } from './cors-allow-origin.js';
import { corsExposeHeaders } from './cors-expose-headers.js';
import { corsMaxAge } from './cors-max-age.js';
import { denylistSourceRange } from './denylist-source-range.js';
import { enableCors } from './enable-cors.js';
import { forceSslRedirect } from './force-ssl-redirect.js';
import { limitBurstMultiplier } from './limit-burst-multiplier.js';
import { limitConnections } from './limit-connections.js';
import { limitRpm } from './limit-rpm.js';
import { limitRps } from './limit-rps.js';
import { loadBalance } from './load-balance.js';
import { mirrorTarget } from './mirror-target.js';
import { permanentRedirect } from './permanent-redirect.js';
import { permanentRedirectCode } from './permanent-redirect-code.js';
import { proxyBodySize } from './proxy-body-size.js';
import { proxyConnectTimeout } from './proxy-connect-timeout.js';
import { proxyReadTimeout } from './proxy-read-timeout.js';
import { proxySendTimeout } from './proxy-send-timeout.js';
import { rewriteTarget } from './rewrite-target.js';
import { sessionCookieMaxAge } from './session-cookie-max-age.js';
import { sessionCookieName } from './session-cookie-name.js';
import { sessionCookiePath } from './session-cookie-path.js';
import { sluicePlugins } from './sluice-plugins.js';
import { snippets } from './snippets.js';
import { sslRedirect } from './ssl-redirect.js';
import { temporalRedirect } from './temporal-redirect.js';
import { upstreamHashBy } from './upstream-hash-by.js';
import { upstreamVhost } from './upstream-vhost.js';
import { useRegex } from './use-regex.js';
import { whitelistSourceRange } from './whitelist-source-range.js';
import { xForwardedPrefix } from './x-forwarded-prefix.js';
import { authSignin } from './auth-signin.js';
import { authSigninRedirectParam } from './auth-signin-redirect-param.js';
import { authTlsErrorPage } from './auth-tls-error-page.js';
import { authTlsPassCertificateToUpstream } from './auth-tls-pass-certificate-to-upstream.js';
import { authTlsSecret } from './auth-tls-secret.js';
import { authTlsVerifyClient } from './auth-tls-verify-client.js';
import { authTlsVerifyDepth } from './auth-tls-verify-depth.js';
import { customHttpErrors } from './custom-http-errors.js';
import { defaultBackend } from './default-backend.js';
import { proxyNextUpstream } from './proxy-next-upstream.js';
import { proxyNextUpstreamTimeout } from './proxy-next-upstream-timeout.js';
import { proxyNextUpstreamTries } from './proxy-next-upstream-tries.js';
import { serviceUpstream } from './service-upstream.js';
import { sslPassthrough } from './ssl-passthrough.js';

/**
 * Every declared annotation, in the order they are applied. The order matters where two
 * annotations feed one plugin: explicit redirects before ssl-redirect before app-root (nginx
 * `return` runs before the HTTPS redirect); allowlists before the denylist; limit-rps before
 * limit-rpm; upstream-hash-by before load-balance; proxy-next-upstream before -tries (off wins);
 * companions (auth-signin, auth-tls-*) before the annotation that reads them; sluice.dev/plugins last so it wins.
 */
export const annotations: readonly IngressAnnotation[] = [
  useRegex,
  rewriteTarget,
  xForwardedPrefix,
  upstreamVhost,
  permanentRedirectCode,
  permanentRedirect,
  temporalRedirect,
  forceSslRedirect,
  sslRedirect,
  appRoot,
  proxyConnectTimeout,
  proxySendTimeout,
  proxyReadTimeout,
  proxyBodySize,
  // default-backend swaps an endpoint-less upstream first, so the upstream overrides below apply to what is served.
  defaultBackend,
  serviceUpstream,
  backendProtocol,
  proxyNextUpstream,
  proxyNextUpstreamTries,
  proxyNextUpstreamTimeout,
  upstreamHashBy,
  loadBalance,
  sessionCookieName,
  sessionCookieMaxAge,
  sessionCookiePath,
  affinity,
  whitelistSourceRange,
  allowlistSourceRange,
  denylistSourceRange,
  limitBurstMultiplier,
  limitRps,
  limitRpm,
  limitConnections,
  corsAllowOrigin,
  corsAllowMethods,
  corsAllowHeaders,
  corsExposeHeaders,
  corsAllowCredentials,
  corsMaxAge,
  enableCors,
  authSecret,
  authSecretType,
  authRealm,
  authType,
  authResponseHeaders,
  authSignin,
  authSigninRedirectParam,
  authUrl,
  authTlsVerifyClient,
  authTlsVerifyDepth,
  authTlsPassCertificateToUpstream,
  authTlsErrorPage,
  authTlsSecret,
  customHttpErrors,
  sslPassthrough,
  mirrorTarget,
  canary,
  canaryByHeader,
  canaryByHeaderValue,
  canaryByHeaderPattern,
  canaryByCookie,
  canaryWeight,
  canaryWeightTotal,
  ...snippets,
  sluicePlugins,
];

export const annotationByKey: ReadonlyMap<string, IngressAnnotation> = new Map(annotations.map((a) => [a.key, a]));

export type { IngressAnnotation, AnnotationContext } from './annotation.js';
export { NGINX } from './annotation.js';
