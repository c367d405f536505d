import type { PluginAttachment } from './plugin-spec.js';

/**
 * What names a kind, without its schema or checks: enough for a browser to talk to the admin
 * API (the dashboard imports this through `@sluice/model/browser`, so it ships no validator).
 * `kinds.ts` adds schema, checks and references to these entries.
 */
export interface KindName {
  /** Singular name used in messages: "route". */
  kind: string;
  /** Plural etcd collection and admin API path segment: "routes". */
  collection: string;
  /** Field that holds the key (consumers are keyed by username). */
  idField: 'id' | 'username';
  /** False for documents only the system writes (data-plane registrations). */
  adminWritable: boolean;
  /** Kinds with a `plugins` map: how their plugin configs are attached (which schema they follow). */
  plugins?: PluginAttachment;
}

export const kindNames: readonly KindName[] = [
  { kind: 'route', collection: 'routes', idField: 'id', adminWritable: true, plugins: 'route' },
  { kind: 'service', collection: 'services', idField: 'id', adminWritable: true, plugins: 'route' },
  { kind: 'upstream', collection: 'upstreams', idField: 'id', adminWritable: true },
  { kind: 'ssl', collection: 'ssls', idField: 'id', adminWritable: true },
  { kind: 'stream route', collection: 'stream-routes', idField: 'id', adminWritable: true, plugins: 'stream-route' },
  { kind: 'listener', collection: 'listeners', idField: 'id', adminWritable: true },
  { kind: 'consumer', collection: 'consumers', idField: 'username', adminWritable: true, plugins: 'consumer' },
  { kind: 'plugin config', collection: 'plugin-configs', idField: 'id', adminWritable: true, plugins: 'plugin-config' },
  { kind: 'global rule', collection: 'global-rules', idField: 'id', adminWritable: true, plugins: 'global-rule' },
  { kind: 'dataplane', collection: 'dataplanes', idField: 'id', adminWritable: false },
];

const byCollection = new Map(kindNames.map((k) => [k.collection, k]));

export function kindNameByCollection(collection: string): KindName | undefined {
  return byCollection.get(collection);
}
