/** A Gateway API duration ("1h", "500ms", "1m30s") in seconds; undefined when malformed. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(\d+(h|m|s|ms))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(ms|h|m|s)/g)) total += Number(n) * unit[u!]!;
  return total;
}
