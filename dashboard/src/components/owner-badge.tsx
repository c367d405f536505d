import { isManaged, type Owner } from '@sluice/model/browser';

/** Who owns a document; Kubernetes-owned ones are read-only here and name their object. */
export function OwnerBadge({ owner }: { owner?: Owner }) {
  if (!isManaged({ owner })) return <span className="badge owner-admin">admin</span>;
  return (
    <span className="badge owner-k8s" title="Owned by Kubernetes: read-only here">
      {owner!.kind} {ownerRef(owner!)} · read-only
    </span>
  );
}

export function ownerRef(owner: Owner): string {
  return [owner.namespace, owner.name].filter(Boolean).join('/');
}
