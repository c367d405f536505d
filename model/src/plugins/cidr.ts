import type { ValidationIssue } from '../validate.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4/IPv6 address, optionally with a /prefix. Browser-safe (no node:net). */
export function cidrIssue(path: string, value: string): ValidationIssue[] {
  const [addr, bits, extra] = value.split('/');
  const v4 = IPV4.test(addr);
  const v6 = !v4 && addr.includes(':') && isIpv6(addr);
  const max = v4 ? 32 : 128;
  const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
  if ((v4 || v6) && bitsOk && extra === undefined) return [];
  return [{ path, message: `is not an IP address or CIDR range: ${JSON.stringify(value)}` }];
}

function isIpv6(addr: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(addr)) return false;
  try {
    // The WHATWG URL parser validates IPv6 literals the same way in Node and browsers.
    new URL(`http://[${addr}]/`);
    return true;
  } catch {
    return false;
  }
}
