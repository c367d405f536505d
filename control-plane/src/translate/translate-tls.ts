import type { V1Ingress, V1Secret } from '@kubernetes/client-node';
import type { Ssl } from '@sluice/model';
import type { ClientAuth } from './client-auth.js';
import { namespaceOf, objectRef, ownerOf } from './object-ref.js';
import { shortHash } from './short-hash.js';
import type { Resources } from './types.js';

/**
 * `spec.tls[]` → one ssl document per Secret, its snis the union of the hosts of every
 * Ingress that names it (a TLS entry without hosts covers its Ingress's rule hosts). A missing
 * or invalid Secret is a warning: those hosts get the default certificate.
 */
export function translateTls(
  ingresses: readonly V1Ingress[],
  resources: Resources,
  warn: (object: string, message: string) => void,
  clientAuthOf: (ingress: V1Ingress) => ClientAuth | undefined = () => undefined,
): Ssl[] {
  const bySecret = new Map<string, { secret: V1Secret; hosts: Set<string>; auth?: ClientAuth }>();
  for (const ingress of ingresses) {
    const namespace = namespaceOf(ingress);
    // auth-tls-*: the Ingress's hosts get their own ssl document (its identity names the CA), so
    // an Ingress without mTLS sharing the certificate Secret is not affected.
    const auth = clientAuthOf(ingress);
    if (auth && (ingress.spec?.tls ?? []).every((t) => !t.secretName)) {
      warn(objectRef('Ingress', ingress), `auth-tls-secret needs spec.tls with a secretName: client certificates are not checked`);
    }
    const ruleHosts = (ingress.spec?.rules ?? []).flatMap((r) => (r.host ? [r.host.toLowerCase()] : []));
    for (const tls of ingress.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const hosts = tls.hosts?.length ? tls.hosts.map((h) => h.toLowerCase()) : ruleHosts;
      const secretKey = `${namespace}/${tls.secretName}`;
      const key = auth ? `${secretKey}#client-ca/${auth.caSecret}/${auth.clientVerify}` : secretKey;
      const secret = resources.secrets.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === tls.secretName);
      if (!secret) {
        warn(objectRef('Ingress', ingress), `TLS Secret ${secretKey} not found; the default certificate is served for ${hosts.join(', ') || 'its hosts'}`);
        continue;
      }
      if (!pemOf(secret, 'tls.crt') || !pemOf(secret, 'tls.key')) {
        warn(
          objectRef('Ingress', ingress),
          `TLS Secret ${secretKey} has no PEM tls.crt and tls.key; the default certificate is served for ${hosts.join(', ') || 'its hosts'}`,
        );
        continue;
      }
      if (hosts.length === 0) {
        warn(objectRef('Ingress', ingress), `TLS Secret ${secretKey} covers no host (no tls hosts and no rule hosts); ignored`);
        continue;
      }
      const entry = bySecret.get(key) ?? { secret, hosts: new Set<string>(), ...(auth ? { auth } : {}) };
      hosts.forEach((h) => entry.hosts.add(h));
      bySecret.set(key, entry);
    }
  }
  return [...bySecret.entries()].map(([key, { secret, hosts, auth }]) => ({
    id: shortHash(`secret/${key}`),
    name: `secret/${key}`,
    owner: ownerOf('Secret', secret),
    snis: [...hosts].sort(),
    cert: pemOf(secret, 'tls.crt')!,
    key: pemOf(secret, 'tls.key')!,
    ...(auth?.clientCa ? { clientCa: auth.clientCa } : {}),
    ...(auth ? { clientVerify: auth.clientVerify } : {}),
  }));
}

/** `data` is base64 (API server); manifests may use `stringData` in clear. */
export function pemOf(secret: V1Secret, field: string): string | undefined {
  const text = secret.stringData?.[field] ?? (secret.data?.[field] !== undefined ? Buffer.from(secret.data[field]!, 'base64').toString('utf8') : undefined);
  return text?.includes('-----BEGIN ') ? text : undefined;
}
