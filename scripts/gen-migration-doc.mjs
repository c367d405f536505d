// Writes docs/ingress-nginx-migration.md from the declared annotations (control-plane/dist,
// build first: npm run docs:ingress) plus the hand-kept list below of annotations not declared.
import { writeFileSync } from 'node:fs';
import { annotations, NGINX } from '../control-plane/dist/translate/annotations/index.js';

/** ingress-nginx annotations without a declaration yet, and why. */
const notYet = {
  'auth-signin': 'forward-auth has no redirect-on-401 yet.', 'auth-signin-redirect-param': 'see auth-signin.',
  'auth-method': 'forward-auth always sends GET.', 'auth-request-redirect': 'see auth-signin.',
  'auth-cache-key': 'no auth answer cache yet.', 'auth-cache-duration': 'see auth-cache-key.',
  'auth-keepalive': 'forward-auth keeps connections alive by default; not tunable by annotation yet.',
  'auth-keepalive-requests': 'see auth-keepalive.', 'auth-keepalive-timeout': 'see auth-keepalive.', 'auth-keepalive-share-vars': 'nginx-specific.',
  'auth-proxy-set-headers': 'needs a ConfigMap lookup; not yet.', 'auth-always-set-cookie': 'not yet.',
  'auth-tls-secret': 'client-certificate auth maps to ssl.clientCa; not wired yet.', 'auth-tls-verify-client': 'see auth-tls-secret.',
  'auth-tls-verify-depth': 'see auth-tls-secret.', 'auth-tls-error-page': 'see auth-tls-secret.',
  'auth-tls-pass-certificate-to-upstream': 'see auth-tls-secret.', 'auth-tls-match-cn': 'see auth-tls-secret.',
  'client-body-buffer-size': 'the proxy streams bodies; no buffering to tune.',
  'custom-http-errors': 'needs error-page interception; not yet.', 'default-backend': 'per-Ingress error backend; not yet.',
  'enable-access-log': 'logging is configured by plugins (file-logger, http-logger).', 'enable-rewrite-log': 'nginx-specific.',
  'enable-opentelemetry': 'use sluice.dev/plugins {"opentelemetry": {...}}.', 'opentelemetry-trust-incoming-span': 'see enable-opentelemetry.',
  'opentelemetry-operation-name': 'see enable-opentelemetry.',
  'from-to-www-redirect': 'not yet.', 'global-rate-limit': 'use sluice.dev/plugins limit-count with policy redis.',
  'global-rate-limit-window': 'see global-rate-limit.', 'global-rate-limit-key': 'see global-rate-limit.', 'global-rate-limit-ignored-cidrs': 'see global-rate-limit.',
  'http2-push-preload': 'HTTP/2 push is obsolete.', 'limit-rate': 'response bandwidth limits not yet.', 'limit-rate-after': 'see limit-rate.',
  'limit-whitelist': 'limit plugins have no exemption list yet.', 'limit-allowlist': 'see limit-whitelist.',
  'proxy-buffering': 'the proxy streams; no buffering.', 'proxy-buffers-number': 'see proxy-buffering.', 'proxy-buffer-size': 'see proxy-buffering.',
  'proxy-max-temp-file-size': 'see proxy-buffering.', 'proxy-request-buffering': 'see proxy-buffering.', 'proxy-http-version': 'upstream HTTP/1.1 always.',
  'proxy-cookie-domain': 'not yet.', 'proxy-cookie-path': 'not yet.', 'proxy-redirect-from': 'not yet.', 'proxy-redirect-to': 'not yet.',
  'proxy-next-upstream': 'maps to upstream retryOn; not wired yet.', 'proxy-next-upstream-tries': 'maps to upstream retries; not wired yet.',
  'proxy-next-upstream-timeout': 'not yet.', 'proxy-ssl-secret': 'maps to upstream tls.clientCert; not wired yet.', 'proxy-ssl-verify': 'maps to upstream tls.verify; not wired yet.',
  'proxy-ssl-verify-depth': 'not yet.', 'proxy-ssl-ciphers': 'not yet.', 'proxy-ssl-name': 'maps to upstream tls.sni; not wired yet.',
  'proxy-ssl-protocols': 'not yet.', 'proxy-ssl-server-name': 'see proxy-ssl-name.',
  'satisfy': 'not yet.', 'service-upstream': 'upstreams use endpoints; ClusterIP mode not yet.', 'ssl-passthrough': 'needs SNI routing of raw TLS streams; not yet.',
  'ssl-ciphers': 'global TLS settings only.', 'ssl-prefer-server-ciphers': 'global TLS settings only.', 'connection-proxy-header': 'nginx-specific.',
  'enable-modsecurity': 'no WAF.', 'enable-owasp-core-rules': 'no WAF.', 'modsecurity-transaction-id': 'no WAF.',
  'mirror-request-body': 'the mirror always gets the body (up to maxBodySize).', 'mirror-host': 'not yet.',
  'preserve-trailing-slash': 'not yet.', 'server-alias': 'not yet.', 'server-tokens': 'nginx-specific.',
  'session-cookie-secure': 'not yet.', 'session-cookie-samesite': 'not yet.', 'session-cookie-conditional-samesite-none': 'not yet.',
  'session-cookie-expires': 'use session-cookie-max-age.', 'session-cookie-change-on-failure': 'not yet.', 'affinity-mode': 'not yet.', 'affinity-canary-behavior': 'not yet.',
  'upstream-hash-by-subset': 'not yet.', 'upstream-hash-by-subset-size': 'not yet.', 'custom-headers': 'needs a ConfigMap lookup; use sluice.dev/plugins response-rewrite.',
  'use-proxy-protocol': 'global setting.',
};

const rows = [...annotations]
  .sort((a, b) => a.key.localeCompare(b.key))
  .map((a) => `| \`${a.key}\` | ${a.support === 'refused' ? 'refused' : a.support} | ${a.scope} | ${a.risk} | ${a.doc.replace(/\|/g, '\\|')} |`);
const missing = Object.entries(notYet)
  .filter(([k]) => !annotations.some((a) => a.key === `${NGINX}${k}`))
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([k, why]) => `| \`${NGINX}${k}\` | not yet | ${why} |`);

writeFileSync(
  new URL('../docs/ingress-nginx-migration.md', import.meta.url),
  `# Migrating from ingress-nginx

<!-- Generated by scripts/gen-migration-doc.mjs (npm run docs:ingress); do not edit by hand. -->

Sluice reads your Ingresses and their \`nginx.ingress.kubernetes.io/*\` annotations as they are.
An annotation Sluice does not support, or a bad value, is a warning naming the annotation; it is
ignored and the rest of the Ingress is still served. Snippets are refused and never executed.
\`sluice.dev/plugins\` attaches any Sluice plugin by JSON (see docs/plugins.md).

## Supported annotations (${annotations.length})

| Annotation | Support | Scope | Risk | How |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

## Not supported yet (${missing.length})

| Annotation | Status | Why |
| --- | --- | --- |
${missing.join('\n')}
`,
);
console.log(`docs/ingress-nginx-migration.md: ${annotations.length} declared, ${missing.length} not yet`);
