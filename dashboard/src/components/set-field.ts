/** A document as the forms edit it: plain JSON. */
export type Doc = Record<string, any>;

/**
 * A copy of `doc` with the field at `path` set; an undefined or empty value removes the
 * field (and an emptied parent object), so forms never write `"hosts": []` noise.
 */
export function setField(doc: Doc, path: string[], value: unknown): Doc {
  const [head, ...rest] = path;
  const copy: Doc = { ...doc };
  const next = rest.length ? setField((doc[head] as Doc) ?? {}, rest, value) : value;
  const empty =
    next === undefined ||
    next === '' ||
    (Array.isArray(next) && next.length === 0) ||
    (typeof next === 'object' && next !== null && !Array.isArray(next) && Object.keys(next).length === 0);
  if (empty) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** "a, b c" → ["a", "b", "c"] */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** A number input's value, or undefined when blank. */
export function numberOrUndefined(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}
