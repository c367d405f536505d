/** One label filter: the key must be present and, when `value` is given, equal to it. */
export interface LabelFilter {
  key: string;
  value?: string;
}

/**
 * The `label` query parameters of a request (repeatable, or comma-separated in one) as filters.
 * `separator` splits key from value: the list endpoints take `team:shop` (as APISIX's
 * `label=k:v`), the export takes `team=shop` (a Kubernetes label selector); a key alone
 * matches any value.
 */
export function parseLabelFilters(values: string | string[] | undefined, separator: ':' | '='): LabelFilter[] {
  return [values ?? []]
    .flat()
    .flatMap((l) => l.split(','))
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.indexOf(separator);
      return at < 0 ? { key: l } : { key: l.slice(0, at), value: l.slice(at + 1) };
    });
}
