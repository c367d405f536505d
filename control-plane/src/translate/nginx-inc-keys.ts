import { NGINX } from './annotations/annotation.js';

/**
 * Tutorials mix in the keys of NGINX Inc.'s controller (nginxinc/kubernetes-ingress, the
 * `nginx.org/*` annotations and its ConfigMap keys) with ingress-nginx's. Where one of them
 * means exactly what an ingress-nginx key means, Sluice takes it as that key and warns with the
 * canonical form; the rest are warnings saying they belong to the other controller.
 */

/** NGINX Inc. ConfigMap key → the ingress-nginx ConfigMap key that means the same. */
export const NGINX_INC_CONFIG_MAP_KEYS: Readonly<Record<string, string>> = {
  'client-max-body-size': 'proxy-body-size',
  'keepalive-timeout': 'keep-alive',
  'keepalive-requests': 'keep-alive-requests',
  keepalive: 'upstream-keepalive-connections',
  'real-ip-header': 'forwarded-for-header',
  'set-real-ip-from': 'proxy-real-ip-cidr',
};

const NGINX_ORG = 'nginx.org/';

/** NGINX Inc. annotation → the ingress-nginx annotation that means the same. */
export const NGINX_INC_ANNOTATIONS: Readonly<Record<string, string>> = {
  [`${NGINX_ORG}client-max-body-size`]: `${NGINX}proxy-body-size`,
  [`${NGINX_ORG}proxy-connect-timeout`]: `${NGINX}proxy-connect-timeout`,
  [`${NGINX_ORG}proxy-read-timeout`]: `${NGINX}proxy-read-timeout`,
  [`${NGINX_ORG}proxy-send-timeout`]: `${NGINX}proxy-send-timeout`,
  [`${NGINX_ORG}proxy-next-upstream`]: `${NGINX}proxy-next-upstream`,
  [`${NGINX_ORG}proxy-next-upstream-tries`]: `${NGINX}proxy-next-upstream-tries`,
  [`${NGINX_ORG}proxy-next-upstream-timeout`]: `${NGINX}proxy-next-upstream-timeout`,
  [`${NGINX_ORG}ssl-redirect`]: `${NGINX}ssl-redirect`,
};

/** NGINX Inc. annotations with no ingress-nginx counterpart that users still expect an answer about. */
export const NGINX_INC_ANNOTATION_NOTES: Readonly<Record<string, string>> = {
  [`${NGINX_ORG}websocket-services`]: 'not needed: Sluice proxies WebSocket upgrades on every route',
  [`${NGINX_ORG}server-snippets`]: 'snippets (raw nginx configuration) are never executed by Sluice; use sluice.dev/plugins instead',
  [`${NGINX_ORG}location-snippets`]: 'snippets (raw nginx configuration) are never executed by Sluice; use sluice.dev/plugins instead',
};

export function isNginxIncAnnotation(key: string): boolean {
  return key.startsWith(NGINX_ORG);
}

/**
 * Replaces aliased keys by their canonical form, each with a warning naming it. When both
 * spellings are present the canonical one wins and the alias is reported as ignored.
 */
export function canonicalKeys(
  entries: readonly (readonly [string, string])[],
  aliases: Readonly<Record<string, string>>,
  say: (message: string) => void,
  what: string,
): [string, string][] {
  const given = new Set(entries.map(([k]) => k));
  const out: [string, string][] = [];
  for (const [key, value] of entries) {
    const canonical = aliases[key];
    if (canonical === undefined) out.push([key, value]);
    else if (given.has(canonical)) say(`${what} ${key} (NGINX Inc. controller) ignored: ${canonical} is also set and wins`);
    else {
      say(`${what} ${key} is the NGINX Inc. controller's name; taken as ${canonical} (write that instead)`);
      out.push([canonical, value]);
    }
  }
  return out;
}
