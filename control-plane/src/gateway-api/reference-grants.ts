import type { GatewayApiObject } from './types.js';

export interface RefFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface RefTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Whether an object may refer to one in another namespace: same namespace always; otherwise a
 * ReferenceGrant in the target's namespace must list the source (group, kind, namespace) in
 * `from` and the target (group, kind, optional name) in `to`. Group "" is the core group.
 */
export function isReferencePermitted(grants: readonly GatewayApiObject[], from: RefFrom, to: RefTo): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (grant) =>
      grant.metadata?.namespace === to.namespace &&
      (grant.spec?.from ?? []).some((f: any) => (f?.group ?? '') === from.group && f?.kind === from.kind && f?.namespace === from.namespace) &&
      (grant.spec?.to ?? []).some(
        (t: any) => (t?.group ?? '') === to.group && t?.kind === to.kind && (t?.name === undefined || t?.name === '' || t.name === to.name),
      ),
  );
}
