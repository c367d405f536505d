// Writes docs/ingress-nginx-migration.md from the declared annotations (control-plane/dist,
// build first: npm run docs:ingress) plus the hand-kept list below of annotations not declared.
import { writeFileSync } from 'node:fs';
import { annotations, NGINX } from '../control-plane/dist/translate/annotations/index.js';
import { CONFIG_MAP_KEYS, CONFIG_MAP_NOTES } from '../control-plane/dist/translate/global-config.js';
import { NGINX_INC_ANNOTATIONS, NGINX_INC_ANNOTATION_NOTES, NGINX_INC_CONFIG_MAP_KEYS } from '../control-plane/dist/translate/nginx-inc-keys.js';

/** ingress-nginx annotations without a declaration yet, and why. */
const notYet = {
  'auth-method': 'forward-auth always sends GET.',
  'auth-request-redirect': 'not yet (auth-signin is supported).',
  'auth-cache-key': 'no auth answer cache yet.',
  'auth-cache-duration': 'see auth-cache-key.',
  'auth-keepalive': 'forward-auth keeps connections alive by default; not tunable by annotation yet.',
  'auth-keepalive-requests': 'see auth-keepalive.',
  'auth-keepalive-timeout': 'see auth-keepalive.',
  'auth-keepalive-share-vars': 'nginx-specific.',
  'auth-proxy-set-headers': 'needs a ConfigMap lookup; not yet.',
  'auth-always-set-cookie': 'not yet.',
  'auth-tls-match-cn': 'no subject CN check yet (auth-tls-secret is supported).',
  'client-body-buffer-size': 'the proxy streams bodies; no buffering to tune.',
  'enable-access-log': 'logging is configured by plugins (file-logger, http-logger).',
  'enable-rewrite-log': 'nginx-specific.',
  'enable-opentelemetry': 'use sluice.dev/plugins {"opentelemetry": {...}}.',
  'opentelemetry-trust-incoming-span': 'see enable-opentelemetry.',
  'opentelemetry-operation-name': 'see enable-opentelemetry.',
  'from-to-www-redirect': 'not yet.',
  'global-rate-limit': 'use sluice.dev/plugins limit-count with policy redis.',
  'global-rate-limit-window': 'see global-rate-limit.',
  'global-rate-limit-key': 'see global-rate-limit.',
  'global-rate-limit-ignored-cidrs': 'see global-rate-limit.',
  'http2-push-preload': 'HTTP/2 push is obsolete.',
  'limit-rate': 'response bandwidth limits not yet.',
  'limit-rate-after': 'see limit-rate.',
  'limit-whitelist': 'limit plugins have no exemption list yet.',
  'limit-allowlist': 'see limit-whitelist.',
  'proxy-buffering': 'the proxy streams; no buffering.',
  'proxy-buffers-number': 'see proxy-buffering.',
  'proxy-buffer-size': 'see proxy-buffering.',
  'proxy-max-temp-file-size': 'see proxy-buffering.',
  'proxy-request-buffering': 'see proxy-buffering.',
  'proxy-http-version': 'upstream HTTP/1.1 always.',
  'proxy-cookie-domain': 'not yet.',
  'proxy-cookie-path': 'not yet.',
  'proxy-redirect-from': 'not yet.',
  'proxy-redirect-to': 'not yet.',
  'proxy-ssl-secret': 'maps to upstream tls.clientCert; not wired yet.',
  'proxy-ssl-verify': 'maps to upstream tls.verify; not wired yet.',
  'proxy-ssl-verify-depth': 'not yet.',
  'proxy-ssl-ciphers': 'not yet.',
  'proxy-ssl-name': 'maps to upstream tls.sni; not wired yet.',
  'proxy-ssl-protocols': 'not yet.',
  'proxy-ssl-server-name': 'see proxy-ssl-name.',
  satisfy: 'not yet.',
  'ssl-ciphers': 'global TLS settings only.',
  'ssl-prefer-server-ciphers': 'global TLS settings only.',
  'connection-proxy-header': 'nginx-specific.',
  'enable-modsecurity': 'no WAF.',
  'enable-owasp-core-rules': 'no WAF.',
  'modsecurity-transaction-id': 'no WAF.',
  'mirror-request-body': 'the mirror always gets the body (up to maxBodySize).',
  'mirror-host': 'not yet.',
  'preserve-trailing-slash': 'not yet.',
  'server-alias': 'not yet.',
  'server-tokens': 'nginx-specific.',
  'session-cookie-secure': 'not yet.',
  'session-cookie-samesite': 'not yet.',
  'session-cookie-conditional-samesite-none': 'not yet.',
  'session-cookie-expires': 'use session-cookie-max-age.',
  'session-cookie-change-on-failure': 'not yet.',
  'affinity-mode': 'not yet.',
  'affinity-canary-behavior': 'not yet.',
  'upstream-hash-by-subset': 'not yet.',
  'upstream-hash-by-subset-size': 'not yet.',
  'custom-headers': 'needs a ConfigMap lookup; use sluice.dev/plugins response-rewrite.',
  'use-proxy-protocol': 'global setting.',
};

const rows = [...annotations]
  .sort((a, b) => a.key.localeCompare(b.key))
  .map((a) => `| \`${a.key}\` | ${a.support === 'refused' ? 'refused' : a.support} | ${a.scope} | ${a.risk} | ${a.doc.replace(/\|/g, '\\|')} |`);
const configMapRows = [
  ...CONFIG_MAP_KEYS.map((k) => `| ${k.keys.map((key) => `\`${key}\``).join(', ')} | ${k.support} | ${k.doc.replace(/\|/g, '\\|')} |`),
  ...Object.entries(CONFIG_MAP_NOTES).map(([key, why]) => `| \`${key}\` | not | ${why}. |`),
];
const nginxIncRows = [
  ...Object.entries(NGINX_INC_CONFIG_MAP_KEYS).map(([theirs, ours]) => `| \`${theirs}\` (ConfigMap) | taken as \`${ours}\`, with a warning |`),
  ...Object.entries(NGINX_INC_ANNOTATIONS).map(([theirs, ours]) => `| \`${theirs}\` | taken as \`${ours}\`, with a warning |`),
  ...Object.entries(NGINX_INC_ANNOTATION_NOTES).map(([theirs, why]) => `| \`${theirs}\` | a warning: ${why} |`),
];
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

## Global ConfigMap (\`--configmap\`)

Values may be written as nginx writes them: sizes \`8m\`, \`512k\`, \`1g\`; times \`11s\`, \`5m\`, \`1h\`,
\`500ms\`, \`1m30s\` (a plain number is seconds). Annotations with a size or a time take the same.
Keys Sluice does not read are warnings naming the key.

| Key | Support | How |
| --- | --- | --- |
${configMapRows.join('\n')}

## NGINX Inc. controller keys

Tutorials mix in the keys of NGINX Inc.'s controller (nginxinc/kubernetes-ingress). Where one
means exactly an ingress-nginx key, Sluice takes it as that key and warns with the canonical form
(when both are set, the ingress-nginx one wins); every other \`nginx.org/*\` annotation is a warning.

| Key | What Sluice does |
| --- | --- |
${nginxIncRows.join('\n')}

## Services and manifests

- A Service's \`sessionAffinity: ClientIP\` becomes consistent hashing on the client address
  (\`type: chash, hashOn: remote_addr\`): a client stays on one endpoint while the endpoints stay
  the same, longer than kube-proxy's \`timeoutSeconds\` promises (it only bounds idle time). An
  Ingress's own \`load-balance\`, \`upstream-hash-by\` or \`affinity\` replaces it.
- \`--manifests DIR\` admits what an API server would: an object that fails the Kubernetes schema
  or the API server's rules (names, a path without \`pathType\`, a Service name that is not an RFC
  1035 label, a TLS Secret whose data are not base64) is left out with a warning naming the field;
  \`extensions/v1beta1\` and \`networking.k8s.io/v1beta1\` Ingresses (removed in Kubernetes 1.22) are
  converted to \`networking.k8s.io/v1\` with a warning. The folder is watched live, including files
  saved by rename (as editors and \`git checkout\` save them), deleted and created again.

## Not supported yet (${missing.length})

| Annotation | Status | Why |
| --- | --- | --- |
${missing.join('\n')}
`,
);
console.log(`docs/ingress-nginx-migration.md: ${annotations.length} declared, ${missing.length} not yet`);
