import { parseAllDocuments } from 'yaml';

/**
 * The Kubernetes objects of one YAML or JSON file: every `---` document, with `List` kinds
 * (`kind: List`, `IngressList`, ...) unpacked into their items, as `kubectl apply -f` reads them.
 * Throws with the line of the first syntax error, so the caller can skip the whole file.
 */
export function parseManifests(text: string): unknown[] {
  const objects: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    const first = doc.errors[0];
    if (first) throw new Error(`line ${(first.linePos?.[0].line ?? 0) || '?'}: ${first.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('a manifest must be a mapping (apiVersion, kind, metadata, ...)');
    objects.push(...unpackList(value as Record<string, unknown>));
  }
  return objects;
}

function unpackList(obj: Record<string, unknown>): unknown[] {
  const isList = typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
  if (!isList) return [obj];
  // Items of a typed list (IngressList) may leave out their kind.
  const itemKind = obj.kind === 'List' ? undefined : (obj.kind as string).slice(0, -'List'.length);
  return (obj.items as unknown[]).flatMap((item) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? unpackList({ ...(itemKind ? { kind: itemKind } : {}), ...(item as Record<string, unknown>) })
      : [],
  );
}
