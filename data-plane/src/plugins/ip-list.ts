import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A list of IPs and CIDRs (IPv4 and IPv6) compiled once, for membership tests per request. */
export interface IpList {
  v4: Range[];
  v6: Range[];
}

/** Throws on an entry that is not an IP or CIDR (the schemas check them first). */
export function compileIpList(entries: readonly string[]): IpList {
  const list: IpList = { v4: [], v6: [] };
  for (const entry of entries) {
    const range = parseRange(entry);
    (range[0].kind() === 'ipv4' ? list.v4 : list.v6).push(range);
  }
  return list;
}

/** True when the address falls in the list; an unparsable address is in no list. */
export function ipInList(address: string, list: IpList): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = unmap(ipaddr.parse(address));
  } catch {
    return false;
  }
  const ranges = addr.kind() === 'ipv4' ? list.v4 : list.v6;
  for (const range of ranges) if (addr.match(range as never)) return true;
  return false;
}

function parseRange(entry: string): Range {
  if (entry.includes('/')) {
    const [addr, bits] = ipaddr.parseCIDR(entry);
    return [unmap(addr), addr.kind() === 'ipv6' && unmap(addr).kind() === 'ipv4' ? Math.max(0, bits - 96) : bits];
  }
  const addr = unmap(ipaddr.parse(entry));
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d), as dual-stack sockets report IPv4 clients, is IPv4. */
function unmap(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}
