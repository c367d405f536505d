/**
 * nginx's value syntax, which ingress-nginx ConfigMaps, annotations and tutorials use:
 * sizes ("8m", "512k", "1g", "1024"; case-insensitive) and times ("11s", "5m", "1h",
 * "500ms", "1m30s", or plain seconds). See http://nginx.org/en/docs/syntax.html.
 */

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes, or undefined when `v` is not an nginx size. */
export function parseNginxSize(v: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]! : undefined;
}

/** Seconds per nginx time unit ("M" is a month, "m" a minute, as nginx has them). */
const TIME_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, M: 2_592_000, y: 31_536_000 };

/** Seconds (a plain number counts as seconds, as in ingress-nginx), or undefined when `v` is not an nginx time. */
export function parseNginxTime(v: string): number | undefined {
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (!/^(\d+(ms|s|m|h|d|w|M|y))+$/.test(text)) return undefined;
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|M|y)/g)) seconds += Number(n) * TIME_UNITS[unit!]!;
  // ms steps in binary floating point (0.1 + 0.2): round to the millisecond nginx counts in.
  return Math.round(seconds * 1000) / 1000;
}

/** A validator for a time between `min` and `max` seconds, with nginx-like messages. */
export function checkNginxTime(min: number, max: number) {
  return (v: string): string | undefined => {
    const seconds = parseNginxTime(v);
    if (seconds === undefined) return `must be seconds or an nginx time like 60s, 5m, 1h, got ${JSON.stringify(v)}`;
    if (seconds < min) return `must be at least ${min} seconds, got ${JSON.stringify(v)}`;
    if (seconds > max) return `must be at most ${max} seconds, got ${JSON.stringify(v)}`;
    return undefined;
  };
}

/** A validator for an nginx size. */
export function checkNginxSize(v: string): string | undefined {
  return parseNginxSize(v) === undefined ? `must be a size like 8m, 512k, 1g or 0, got ${JSON.stringify(v)}` : undefined;
}
