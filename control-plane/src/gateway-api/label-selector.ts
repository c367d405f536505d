/** Kubernetes LabelSelector semantics (matchLabels AND matchExpressions); an empty selector selects everything. */
export function matchesLabelSelector(selector: any, labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) if (have[key] !== value) return false;
  for (const expr of selector?.matchExpressions ?? []) {
    const present = Object.hasOwn(have, expr?.key);
    const values: string[] = expr?.values ?? [];
    switch (expr?.operator) {
      case 'In':
        if (!present || !values.includes(have[expr.key]!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[expr.key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false; // an unknown operator selects nothing rather than everything
    }
  }
  return true;
}
