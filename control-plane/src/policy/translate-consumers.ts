import type { V1Secret } from '@kubernetes/client-node';
import { kindByCollection, validateDocument, validateSchema } from '@sluice/model';
import { compareAge, namespaceOf } from '../translate/object-ref.js';
import type { TranslatedDocument } from '../translate/types.js';
import { ConsumerSpec, type ConsumerResource } from './crd-schemas.js';
import { condition, type PolicyStatus } from './policy-conditions.js';

export interface TranslatedConsumers {
  documents: TranslatedDocument[];
  statuses: PolicyStatus[];
}

type Credentials = NonNullable<ConsumerSpec['credentials']>;

/** Credential kind → the auth plugin it becomes and how its Secret is read. */
const CREDENTIALS: Record<keyof Credentials, { plugin: string; read(data: Record<string, string>): Record<string, unknown> | string }> = {
  keyAuth: { plugin: 'key-auth', read: (d) => (d.key !== undefined ? { key: d.key } : 'has no "key"') },
  basicAuth: {
    plugin: 'basic-auth',
    read: (d) => {
      if (d.username !== undefined && d.password !== undefined) return { username: d.username, password: d.password };
      // An htpasswd file (as ingress-nginx's auth-secret): its first line, user:hash.
      const line = d.auth
        ?.split('\n')
        .map((l) => l.trim())
        .find(Boolean);
      const colon = line?.indexOf(':') ?? -1;
      if (line && colon > 0) return { username: line.slice(0, colon), password: line.slice(colon + 1) };
      return 'has neither "username" and "password" nor an htpasswd "auth" line';
    },
  },
  jwtAuth: {
    plugin: 'jwt-auth',
    read: (d) => {
      if (d.key === undefined) return 'has no "key"';
      const publicKey = d.publicKey ?? d['public-key'];
      return {
        key: d.key,
        ...(d.secret !== undefined ? { secret: d.secret } : {}),
        ...(publicKey !== undefined ? { publicKey } : {}),
        ...(d.algorithm !== undefined ? { algorithm: d.algorithm } : {}),
      };
    },
  },
};

/**
 * Consumer CRs → `consumers` documents, their credentials read from Secrets in their namespace.
 * A missing Secret or key is `ResolvedRefs=False` and the consumer is left out (a consumer
 * without its credential would lock its client out anyway, and a half-built one could let the
 * wrong client in). Two Consumers with one username: the older wins, the newer is Conflicted.
 */
export function translateConsumers(consumers: readonly ConsumerResource[], secrets: readonly V1Secret[]): TranslatedConsumers {
  const documents: TranslatedDocument[] = [];
  const statuses: PolicyStatus[] = [];
  const taken = new Map<string, string>();
  for (const consumer of [...consumers].sort(compareAge)) {
    const namespace = namespaceOf(consumer);
    const name = consumer.metadata?.name ?? '';
    const generation = consumer.metadata?.generation;
    const push = (...conditions: ReturnType<typeof condition>[]) =>
      statuses.push({ kind: 'Consumer', namespace, name, ...(generation !== undefined ? { generation } : {}), conditions });

    const shape = validateSchema(ConsumerSpec, consumer.spec);
    if (shape.length > 0) {
      push(condition('Accepted', false, 'Invalid', shape.map((i) => `/spec${i.path === '/' ? '' : i.path} ${i.message}`).join('; '), generation));
      continue;
    }
    const spec = consumer.spec!;
    const plugins: Record<string, unknown> = { ...(spec.plugins ?? {}) };
    const unresolved: string[] = [];
    for (const [field, ref] of Object.entries(spec.credentials ?? {}) as [keyof Credentials, { secretRef: { name: string } }][]) {
      const secret = secrets.find((s) => namespaceOf(s) === namespace && s.metadata?.name === ref.secretRef.name);
      if (!secret) {
        unresolved.push(`${field}: Secret ${namespace}/${ref.secretRef.name} not found`);
        continue;
      }
      const credential = CREDENTIALS[field].read(secretData(secret));
      if (typeof credential === 'string') unresolved.push(`${field}: Secret ${namespace}/${ref.secretRef.name} ${credential}`);
      else plugins[CREDENTIALS[field].plugin] = credential;
    }
    if (unresolved.length > 0) {
      const message = unresolved.join('; ');
      push(
        condition('Accepted', false, 'UnresolvedRefs', `not served: ${message}`, generation),
        condition('ResolvedRefs', false, 'InvalidSecret', message, generation),
      );
      continue;
    }
    const resolved = condition('ResolvedRefs', true, 'ResolvedRefs', 'every credential Secret was read', generation);
    const holder = taken.get(spec.username);
    if (holder) {
      push(
        condition('Accepted', false, 'Conflicted', `username ${spec.username} belongs to the older Consumer ${holder}`, generation),
        resolved,
        condition('Conflicted', true, 'Conflicted', `username ${spec.username} belongs to the older Consumer ${holder}`, generation),
      );
      continue;
    }
    const uid = consumer.metadata?.uid;
    const doc = {
      id: spec.username,
      username: spec.username,
      name: `consumer/${namespace}/${name}`,
      owner: { kind: 'Consumer', namespace, name, ...(uid ? { uid } : {}) },
      ...(spec.labels ? { labels: spec.labels } : {}),
      ...(Object.keys(plugins).length ? { plugins: Object.fromEntries(Object.entries(plugins).sort(([a], [b]) => a.localeCompare(b))) } : {}),
    };
    const issues = validateDocument(kindByCollection('consumers')!, doc);
    if (issues.length > 0) {
      // Paths name the plugin, never the credential's value: the message lands in the CR's status.
      push(condition('Accepted', false, 'Invalid', issues.map((i) => `${i.path} ${i.message}`).join('; '), generation), resolved);
      continue;
    }
    taken.set(spec.username, `${namespace}/${name}`);
    documents.push({ collection: 'consumers', doc });
    push(
      condition('Accepted', true, 'Accepted', `served as consumer ${spec.username}`, generation),
      resolved,
      condition('Conflicted', false, 'NoConflicts', 'the username is unique', generation),
    );
  }
  return { documents, statuses };
}

/** A Secret's values as text: `data` is base64 (from the API server), `stringData` plain (manifests). */
function secretData(secret: V1Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = String(v);
  return out;
}
