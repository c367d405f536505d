import { NGINX, defineAnnotation, type IngressAnnotation } from './annotation.js';

/**
 * Snippets are raw nginx configuration: they cannot mean anything to Sluice and were the
 * source of ingress-nginx's worst CVEs (CVE-2021-25742, CVE-2025-1974), so they are refused.
 */
const SNIPPET_KEYS = ['configuration-snippet', 'server-snippet', 'auth-snippet', 'stream-snippet', 'modsecurity-snippet'];

/** Any other `*-snippet(s)` key (tutorials write `server-snippets`) is refused for the same reason. */
export function isSnippetKey(key: string): boolean {
  return key.startsWith(NGINX) && /-snippets?$/.test(key);
}

export const SNIPPET_REFUSAL = 'snippets are never executed by Sluice (raw nginx configuration); use sluice.dev/plugins instead';

export const snippets: IngressAnnotation[] = SNIPPET_KEYS.map((name) =>
  defineAnnotation({
    key: `${NGINX}${name}`,
    validate: () => SNIPPET_REFUSAL,
    scope: name === 'server-snippet' ? 'ingress' : 'location',
    risk: 'high',
    support: 'refused',
    doc: 'Refused with a warning, never executed. Use `sluice.dev/plugins` for what the snippet did.',
    apply: () => {},
  }),
);
