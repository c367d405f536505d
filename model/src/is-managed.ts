/** True when the control plane, not a person, owns the document. */
export function isManaged(doc: { owner?: { kind: string } }): boolean {
  return doc.owner !== undefined && doc.owner.kind !== 'admin';
}
