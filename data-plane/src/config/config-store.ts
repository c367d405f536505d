import { documentKey, kindByCollection, parseKey, validateDocument, type KindSpec } from '@sluice/model';
import { LayeredMap } from './layered-map.js';
import { ServiceRoutes, type ServiceInputs } from './service-routes.js';
import type { ConfigSnapshot, Versioned } from './types.js';

/** One key/value as etcd returns it (also the disk-cache record). */
export interface RawKv {
  key: string;
  value: Uint8Array | string;
  modRevision: number;
  createRevision: number;
}

export interface ConfigLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The snapshot collections, by etcd collection name. `dataplanes/` is deliberately absent. */
export const SNAPSHOT_FIELDS = {
  routes: 'routes',
  upstreams: 'upstreams',
  ssls: 'ssls',
  'stream-routes': 'streamRoutes',
  consumers: 'consumers',
  'plugin-configs': 'pluginConfigs',
  'global-rules': 'globalRules',
  listeners: 'listeners',
  services: 'services',
} as const satisfies Record<string, Exclude<keyof ConfigSnapshot, 'revision'>>;

type Field = (typeof SNAPSHOT_FIELDS)[keyof typeof SNAPSHOT_FIELDS];
type AnyVersioned = Versioned<Record<string, unknown>>;

interface Rejection {
  /** `<collection>/<id>`. */
  name: string;
  reason: string;
  modRevision: number;
}

export interface ConfigStore {
  /**
   * Ingests one written key; a bad value is rejected and the key's last good version (if
   * any) stays in force. Returns false for keys the data plane does not use (unknown
   * collections, `dataplanes/`).
   */
  applyPut(key: string, value: Uint8Array | string, modRevision: number, createRevision: number): boolean;
  applyDelete(key: string): boolean;
  /** Replaces everything with a full listing (initial load or resync). */
  replaceAll(kvs: Iterable<RawKv>): void;
  /**
   * The same, fed page by page as the listing arrives (each page parsed and checked while the
   * next is on its way); nothing changes in the store until `commit`, and a listing that
   * breaks off is simply dropped.
   */
  replacement(): StoreReplacement;
  /**
   * An immutable view of the current state; unchanged collections share their maps with the
   * last one. `rejected` is keyed `<collection>/<id>`, as the compiler and the registration name documents.
   */
  snapshot(revision: number): { snapshot: ConfigSnapshot; rejected: ReadonlyMap<string, string> };
  /** Documents rejected since the store was made (each bad value counted once). */
  readonly rejectedTotal: number;
}

export interface StoreReplacement {
  add(kvs: Iterable<RawKv>): void;
  commit(): void;
}

/**
 * Per-collection maps of valid documents for one key prefix. Every document is checked on
 * ingest with the model's schema and cross-field rules; a bad one is rejected alone, the rest
 * still applies, and its last good version stays in force (a typo in etcd must not take a
 * working route down). Missing references are the compiler's business, not the store's, except
 * a route's service: the store hands out routes already merged with the service they name
 * (`ServiceRoutes`), so one naming a missing service is rejected here.
 */
export function createConfigStore(prefix: string, logger?: ConfigLogger): ConfigStore {
  let published = emptyViews();
  let pending = new Map<Field, Map<string, AnyVersioned | undefined>>();
  const rejected = new Map<string, Rejection>();
  let rejectedView: ReadonlyMap<string, string> = new Map();
  let rejectedDirty = false;
  let rejectedTotal = 0;
  const serviceRoutes = new ServiceRoutes();
  let serviceRejections = new Set<string>();

  const stage = (field: Field, id: string, value: AnyVersioned | undefined) => {
    let changes = pending.get(field);
    if (!changes) pending.set(field, (changes = new Map()));
    changes.set(id, value);
  };

  const clearRejection = (key: string) => {
    if (rejected.delete(key)) rejectedDirty = true;
  };

  const reject = (key: string, name: string, modRevision: number, reason: string) => {
    const previous = rejected.get(key);
    if (previous && previous.modRevision === modRevision && previous.reason === reason) return;
    rejected.set(key, { name, reason, modRevision });
    rejectedDirty = true;
    rejectedTotal++;
    logger?.warn({ key, revision: modRevision, reason }, 'config document rejected');
  };

  const serviceInputs = () => published as unknown as ServiceInputs;
  let resolvedRoutes: ReadonlyMap<string, AnyVersioned> = published.routes;

  /** Rejects the routes whose service is missing and lifts that rejection from routes whose service came back. */
  const resolveServices = (result: ReturnType<ServiceRoutes['update']>, revision: number) => {
    const now = new Set<string>();
    for (const [routeId, serviceId] of result.missing) {
      const key = documentKey(prefix, 'routes', routeId);
      now.add(key);
      reject(key, `routes/${routeId}`, published.routes.get(routeId)?.modRevision ?? revision, `${SERVICE_MISSING} ${serviceId} does not exist`);
    }
    for (const key of serviceRejections) if (!now.has(key) && rejected.get(key)?.reason.startsWith(SERVICE_MISSING)) clearRejection(key);
    serviceRejections = now;
    return result.routes as ReadonlyMap<string, AnyVersioned>;
  };

  /** Returns where the key lives, or undefined for keys the data plane does not use. */
  const locate = (key: string): { field: Field; id: string; spec: KindSpec } | undefined => {
    const parsed = parseKey(prefix, key);
    if (!parsed) return undefined;
    const field = SNAPSHOT_FIELDS[parsed.collection as keyof typeof SNAPSHOT_FIELDS];
    const spec = field && kindByCollection(parsed.collection);
    return spec ? { field, id: parsed.id, spec } : undefined;
  };

  /** The version in force for a key: staged in this batch, else published. */
  const current = (field: Field, id: string): AnyVersioned | undefined => {
    const staged = pending.get(field);
    return staged?.has(id) ? staged.get(id) : published[field].get(id);
  };

  const applyPut = (key: string, value: Uint8Array | string, modRevision: number, createRevision: number, lastGood = current) => {
    const where = locate(key);
    if (!where) return false;
    const result = parseDocument(where.spec, where.id, value);
    if (typeof result === 'string') {
      // Nothing is staged: the last good version (if any) stays in force, and the reason says so.
      const kept = lastGood(where.field, where.id);
      if (kept) stage(where.field, where.id, kept);
      const reason = kept ? `${result}; the previous version (revision ${kept.modRevision}) stays in force` : result;
      reject(key, `${where.spec.collection}/${where.id}`, modRevision, reason);
    } else {
      clearRejection(key);
      stage(where.field, where.id, { doc: result, modRevision, createRevision });
    }
    return true;
  };

  const replacement = (): StoreReplacement => {
    // What is in force now: a bad value in the listing keeps that version. Read at commit,
    // after any change that came in meanwhile (there is none while a session lists).
    const inForce = (field: Field, id: string) => {
      const staged = pending.get(field);
      return staged?.has(id) ? staged.get(id) : published[field].get(id);
    };
    const staged = new Map<Field, Map<string, AnyVersioned>>();
    const put = (field: Field, id: string, value: AnyVersioned) => {
      let docs = staged.get(field);
      if (!docs) staged.set(field, (docs = new Map()));
      docs.set(id, value);
    };
    const invalid: { key: string; field: Field; id: string; name: string; modRevision: number; reason: string }[] = [];
    return {
      add(kvs) {
        for (const kv of kvs) {
          const where = locate(kv.key);
          if (!where) continue;
          const result = parseDocument(where.spec, where.id, kv.value);
          if (typeof result === 'string') {
            invalid.push({
              key: kv.key,
              field: where.field,
              id: where.id,
              name: `${where.spec.collection}/${where.id}`,
              modRevision: kv.modRevision,
              reason: result,
            });
            continue;
          }
          put(where.field, where.id, { doc: result, modRevision: kv.modRevision, createRevision: kv.createRevision });
        }
      },
      commit() {
        const kept = invalid.map((bad) => ({ ...bad, kept: inForce(bad.field, bad.id) }));
        const previous = new Map(rejected);
        rejected.clear();
        rejectedDirty = true;
        published = emptyViews();
        pending = new Map();
        for (const bad of kept) {
          // A key that was already rejected for the same value is not logged or counted again.
          const known = previous.get(bad.key);
          if (known) rejected.set(bad.key, known);
          if (bad.kept) put(bad.field, bad.id, bad.kept);
          reject(
            bad.key,
            bad.name,
            bad.modRevision,
            bad.kept ? `${bad.reason}; the previous version (revision ${bad.kept.modRevision}) stays in force` : bad.reason,
          );
        }
        for (const [field, docs] of staged) published[field] = LayeredMap.of(docs);
        resolvedRoutes = resolveServices(serviceRoutes.reset(serviceInputs()), 0);
      },
    };
  };

  return {
    applyPut,
    applyDelete(key) {
      const where = locate(key);
      if (!where) return false;
      clearRejection(key);
      stage(where.field, where.id, undefined);
      return true;
    },
    replaceAll(kvs) {
      const listing = replacement();
      listing.add(kvs);
      listing.commit();
    },
    replacement,
    snapshot(revision) {
      const changed = { routes: pending.get('routes')?.keys(), services: pending.get('services')?.keys(), pluginConfigs: pending.get('pluginConfigs')?.keys() };
      const touched = changed.routes !== undefined || changed.services !== undefined || changed.pluginConfigs !== undefined;
      for (const [field, changes] of pending) published[field] = published[field].with(changes);
      if (touched) resolvedRoutes = resolveServices(serviceRoutes.update(serviceInputs(), changed), revision);
      pending = new Map();
      if (rejectedDirty) {
        rejectedView = new Map([...rejected.values()].map((r) => [r.name, r.reason]));
        rejectedDirty = false;
      }
      const snapshot = Object.freeze({ revision, ...published, routes: resolvedRoutes }) as unknown as ConfigSnapshot;
      return { snapshot, rejected: rejectedView };
    },
    get rejectedTotal() {
      return rejectedTotal;
    },
  };
}

function emptyViews(): Record<Field, LayeredMap<AnyVersioned>> {
  const views = {} as Record<Field, LayeredMap<AnyVersioned>>;
  for (const field of Object.values(SNAPSHOT_FIELDS)) views[field] = LayeredMap.empty();
  return views;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How the store words a route's rejection for a missing service (and recognises it to lift it). */
const SERVICE_MISSING = 'service';

/** The valid document, or the reason it is rejected. */
function parseDocument(spec: KindSpec, keyId: string, value: Uint8Array | string): Record<string, unknown> | string {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof value === 'string' ? value : utf8.decode(value));
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'invalid document: not a JSON object';
  const issues = validateDocument(spec, doc);
  if (issues.length) return `invalid ${spec.kind}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`;
  const bodyId = (doc as Record<string, unknown>)[spec.idField];
  if (bodyId !== keyId) return `${spec.idField} ${JSON.stringify(bodyId)} in the document does not match the key's ${JSON.stringify(keyId)}`;
  return doc as Record<string, unknown>;
}
