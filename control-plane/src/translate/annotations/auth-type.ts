import type { V1Secret } from '@kubernetes/client-node';
import { NGINX, defineAnnotation, mergePlugin } from './annotation.js';

export const authType = defineAnnotation({
  key: `${NGINX}auth-type`,
  validate: (v) =>
    v === 'basic' ? undefined : v === 'digest' ? 'digest authentication is not supported; use basic' : `must be "basic", got ${JSON.stringify(v)}`,
  scope: 'location',
  risk: 'high',
  support: 'supported',
  doc: "`basic-auth` with inline `credentials`: the htpasswd lines of auth-secret (auth-file: its `auth` key; auth-map: one key per user, the value a hash) are accepted on this Ingress's routes only, never as global consumers. auth-realm sets the realm. A missing or empty Secret lets nobody in (401). digest is not supported.",
  apply: ({ route, annotation, ingress, resources, warn }) => {
    const ref = annotation(`${NGINX}auth-secret`);
    if (!ref) return warn('auth-type basic needs auth-secret; authentication not enabled');
    const namespace = ref.includes('/') ? ref.split('/')[0]! : (ingress.metadata?.namespace ?? 'default');
    const name = ref.includes('/') ? ref.split('/')[1]! : ref;
    const secret = resources.secrets.find((s) => (s.metadata?.namespace ?? 'default') === namespace && s.metadata?.name === name);
    const realm = annotation(`${NGINX}auth-realm`);
    let credentials: string[] = [];
    if (!secret) warn(`auth-secret ${namespace}/${name} not found; every request gets 401`);
    else {
      credentials = annotation(`${NGINX}auth-secret-type`) === 'auth-map' ? authMapLines(secret) : authFileLines(secret);
      if (credentials.length === 0) warn(`auth-secret ${namespace}/${name} holds no htpasswd lines; every request gets 401`);
    }
    mergePlugin(route, 'basic-auth', { credentials, ...(realm ? { realm } : {}) });
  },
});

/** The value of one Secret key: `data` is base64 (API server); manifests may use `stringData`. */
function secretText(secret: V1Secret, key: string): string | undefined {
  return secret.stringData?.[key] ?? (secret.data?.[key] !== undefined ? Buffer.from(secret.data[key]!, 'base64').toString('utf8') : undefined);
}

const LINE = /^[^:\s]+:[^\r\n]+$/;

/** auth-file: the `auth` key is an htpasswd file. */
function authFileLines(secret: V1Secret): string[] {
  return (secretText(secret, 'auth') ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && LINE.test(l));
}

/** auth-map: each key is a user name, its value the password hash. */
function authMapLines(secret: V1Secret): string[] {
  const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
  return [...keys]
    .sort()
    .map((user) => `${user}:${(secretText(secret, user) ?? '').trim()}`)
    .filter((l) => LINE.test(l));
}
