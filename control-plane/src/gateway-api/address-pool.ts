/**
 * The n-th host address (0-based) of an IPv4 CIDR pool, skipping the network address:
 * `127.0.1.0/24`, 0 → 127.0.1.1. Undefined when the pool is not IPv4 CIDR or is exhausted.
 */
export function poolAddress(cidr: string, n: number): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const base = (((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!) >>> 0;
  const size = 2 ** (32 - bits);
  const network = bits === 0 ? 0 : (base & ((0xffffffff << (32 - bits)) >>> 0)) >>> 0;
  // Keep the network and broadcast addresses out when the pool is big enough to have them.
  const first = size > 2 ? 1 : 0;
  const usable = size > 2 ? size - 2 : size;
  if (n < 0 || n >= usable) return undefined;
  const ip = (network + first + n) >>> 0;
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** Whether an IPv4 address lies inside a CIDR pool. */
export function poolContains(cidr: string, address: string): boolean {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  const ip = ipv4(address);
  if (!m || ip === undefined) return false;
  const base = ipv4(m[1]!);
  const bits = Number(m[2]);
  if (base === undefined) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ip & mask) >>> 0 === (base & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => ((acc << 8) + Number(p)) >>> 0, 0);
}
