import { NGINX, defineAnnotation } from './annotation.js';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** nginx size syntax: "8m", "512k", "1g", "1024"; "0" means unlimited. */
export function parseNginxSize(v: string): number | undefined {
  const m = /^(\d+)([kmg]?)$/i.exec(v.trim());
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined;
}

export const proxyBodySize = defineAnnotation({
  key: `${NGINX}proxy-body-size`,
  validate: (v) => (parseNginxSize(v) === undefined ? `must be a size like 8m, 512k, 1g or 0, got ${JSON.stringify(v)}` : undefined),
  scope: 'location',
  risk: 'low',
  support: 'supported',
  doc: '`client-control.maxBodySize` in bytes (413 above it); "0" = unlimited.',
  apply: ({ value, route }) => {
    const bytes = parseNginxSize(value)!;
    if (bytes > 0) route.plugins['client-control'] = { maxBodySize: bytes };
  },
});
