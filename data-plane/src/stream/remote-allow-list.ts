import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Decides whether a client address may use a stream route. */
export type RemoteAllowList = (remoteAddress: string | undefined) => boolean;

const everyone: RemoteAllowList = () => true;

/**
 * Compiles a `remoteAddrs` list (IPs and CIDRs, v4 and v6) once per route version. An empty
 * or missing list allows everyone. Throws on an entry that is not an address or CIDR, so the
 * compiler can reject the route alone.
 */
export function compileRemoteAllowList(entries: readonly string[] | undefined): RemoteAllowList {
  if (entries === undefined || entries.length === 0) return everyone;
  const ranges: [Address, number][] = entries.map(parseRange);
  return (remoteAddress) => {
    if (remoteAddress === undefined) return false;
    let addr: Address;
    try {
      addr = unmap(ipaddr.parse(remoteAddress));
    } catch {
      return false;
    }
    for (const [range, bits] of ranges) if (range.kind() === addr.kind() && addr.match(range, bits)) return true;
    return false;
  };
}

function parseRange(entry: string): [Address, number] {
  if (entry.includes('/')) {
    let parsed: [Address, number];
    try {
      parsed = ipaddr.parseCIDR(entry);
    } catch {
      throw new Error(`remoteAddrs: "${entry}" is not an IP address or CIDR`);
    }
    const [addr, bits] = parsed;
    const plain = unmap(addr);
    // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8.
    return [plain, plain.kind() !== addr.kind() ? Math.max(0, bits - 96) : bits];
  }
  if (!ipaddr.isValid(entry)) throw new Error(`remoteAddrs: "${entry}" is not an IP address or CIDR`);
  const addr = unmap(ipaddr.parse(entry));
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; they match IPv4 entries. */
function unmap(addr: Address): Address {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}
