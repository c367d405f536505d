import type { Resources, TranslatedDocument } from '../translate/types.js';
import { applyRoutePolicies } from './apply-route-policies.js';
import type { PolicyStatus } from './policy-conditions.js';
import { translateConsumers } from './translate-consumers.js';

export interface TranslatedPolicies {
  /** The input documents with policy plugins merged into routes, plus consumer documents. */
  documents: TranslatedDocument[];
  /** Sorted by kind, namespace, name. */
  statuses: PolicyStatus[];
}

/**
 * The sluice.dev CRDs on top of what the Ingress (and later Gateway API) translation emitted:
 * RoutePolicies add plugins to those routes, Consumers become consumer documents. Runs last,
 * because a policy attaches to routes that must already exist.
 */
export function translatePolicies(documents: readonly TranslatedDocument[], resources: Resources): TranslatedPolicies {
  const policies = applyRoutePolicies(documents, resources.routePolicies ?? []);
  const consumers = translateConsumers(resources.consumers ?? [], resources.secrets);
  const statuses = [...policies.statuses, ...consumers.statuses].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
  return { documents: [...policies.documents, ...consumers.documents], statuses };
}
