import { canonicalJson } from '@sluice/model';
import { translateGatewayApi } from './gateway-api/index.js';
import type { GatewayObjectStatus } from './gateway-api/types.js';
import { gatewayResourcesOfSnapshot, type ClusterSnapshot } from './source/cluster-snapshot.js';
import { translate } from './translate/index.js';
import { shortHash } from './translate/short-hash.js';
import type { TranslatedDocument, TranslateOptions, TranslateResult } from './translate/types.js';

export interface ClusterTranslateOptions extends TranslateOptions {
  /** --gateway-address-pool CIDR: addresses of Gateways without spec.addresses. */
  gatewayAddressPool?: string;
}

export interface ClusterTranslateResult extends TranslateResult {
  /** What the status of each Gateway API object we own should become (no lastTransitionTime yet). */
  gatewayStatuses: GatewayObjectStatus[];
}

/**
 * One snapshot through both translators, Ingress and Gateway API, into one document set for
 * the etcd writer (it owns the union and deletes what neither produces any more). Pure.
 */
export function translateCluster(snapshot: ClusterSnapshot, options: ClusterTranslateOptions): ClusterTranslateResult {
  const ingress = translate(snapshot, options);
  const gateway = translateGatewayApi(gatewayResourcesOfSnapshot(snapshot), {
    controllerName: options.controllerName,
    ...(options.gatewayAddressPool ? { gatewayAddressPool: options.gatewayAddressPool } : {}),
  });
  return {
    ...ingress,
    documents: unionOfDocuments(ingress.documents, gateway.documents),
    warnings: [...ingress.warnings, ...gateway.warnings],
    gatewayStatuses: gateway.statuses,
  };
}

/**
 * Both translators derive ids from the same readable keys (an upstream is "service/ns/name/port/80"
 * plus its overrides), so an HTTPRoute and an Ingress on the same Service port share one upstream.
 * When the two differ (an Ingress-only global setting, say), the Gateway API one is renamed and
 * its references follow, so neither translator ever overwrites the other's document.
 */
export function unionOfDocuments(first: readonly TranslatedDocument[], second: readonly TranslatedDocument[]): TranslatedDocument[] {
  const byKey = new Map(first.map((d) => [`${d.collection}/${d.doc.id}`, d]));
  const renamed = new Map<string, string>();
  const added: TranslatedDocument[] = [];
  for (const d of second) {
    const existing = byKey.get(`${d.collection}/${d.doc.id}`);
    if (!existing) added.push(d);
    else if (canonicalJson(existing.doc) !== canonicalJson(d.doc)) {
      renamed.set(d.doc.id, shortHash(`gateway-api/${d.collection}/${d.doc.id}`));
      added.push(d);
    }
  }
  const documents = [...first, ...(renamed.size ? added.map((d) => ({ collection: d.collection, doc: withIds(d.doc, renamed) })) : added)];
  return documents.sort((a, b) => a.collection.localeCompare(b.collection) || a.doc.id.localeCompare(b.doc.id));
}

/** Ids are `k8s-` + 16 hex digits: any string equal to a renamed id is a reference to it. */
function withIds<T>(value: T, renamed: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return (renamed.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((v) => withIds(v, renamed)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withIds(v, renamed)])) as T;
  return value;
}
