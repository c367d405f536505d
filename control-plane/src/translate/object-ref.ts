/** The subset of Kubernetes metadata the translator reads. */
export interface ObjectMeta {
  metadata?: { namespace?: string; name?: string; uid?: string; creationTimestamp?: Date | string; annotations?: Record<string, string> };
}

/** "Kind/namespace/name": how warnings and statuses name an object. */
export function objectRef(kind: string, obj: ObjectMeta): string {
  return `${kind}/${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name ?? ''}`;
}

export function namespaceOf(obj: ObjectMeta): string {
  return obj.metadata?.namespace ?? 'default';
}

/** The owner block of a document derived from `obj` (uid only when the object has one). */
export function ownerOf<K extends 'Ingress' | 'Service' | 'Secret'>(kind: K, obj: ObjectMeta) {
  const uid = obj.metadata?.uid;
  return { kind, namespace: namespaceOf(obj), name: obj.metadata?.name ?? '', ...(uid ? { uid } : {}) };
}

/** Creation time in ms for "oldest wins"; objects without one sort last. */
export function createdAt(obj: ObjectMeta): number {
  const t = obj.metadata?.creationTimestamp;
  if (t === undefined) return Number.MAX_SAFE_INTEGER;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? Number.MAX_SAFE_INTEGER : ms;
}

/** Oldest first, then namespace/name, so ties still resolve the same way every time. */
export function compareAge(a: ObjectMeta, b: ObjectMeta): number {
  return createdAt(a) - createdAt(b) || objectRef('', a).localeCompare(objectRef('', b));
}
