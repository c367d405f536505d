import ipaddr from 'ipaddr.js';
import { ipRestrictionSpec, type PluginConfigOf } from '@sluice/model';
import { jsonAnswer } from './json-answer.js';
import { definePlugin, type ShortCircuit } from './plugin.js';

type Config = PluginConfigOf<typeof ipRestrictionSpec>;
type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

interface Compiled {
  allow: boolean;
  v4: Range[];
  v6: Range[];
  rejected: ShortCircuit;
}

export const ipRestrictionPlugin = definePlugin({
  spec: ipRestrictionSpec,
  prepare(config: Config): Compiled {
    const list = config.whitelist ?? config.blacklist ?? [];
    const v4: Range[] = [];
    const v6: Range[] = [];
    for (const entry of list) {
      const range = parseRange(entry);
      (range[0].kind() === 'ipv4' ? v4 : v6).push(range);
    }
    return {
      allow: config.whitelist !== undefined,
      v4,
      v6,
      rejected: jsonAnswer(config.rejectedCode ?? 403, config.message ?? 'Your IP address is not allowed'),
    };
  },
  access(ctx, c): ShortCircuit | undefined {
    const listed = isListed(ctx.clientAddress, c);
    return listed === c.allow ? undefined : c.rejected;
  },
});

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

function isListed(clientAddress: string, c: Compiled): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = unmap(ipaddr.parse(clientAddress));
  } catch {
    return false;
  }
  const ranges = addr.kind() === 'ipv4' ? c.v4 : c.v6;
  for (const range of ranges) if (addr.match(range as never)) return true;
  return false;
}
