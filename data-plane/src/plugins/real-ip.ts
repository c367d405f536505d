import { isIP } from 'node:net';
import { realIpSpec, type PluginConfigOf } from '@sluice/model';
import { compileIpList, ipInList, type IpList } from './ip-list.js';
import { definePlugin } from './plugin.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof realIpSpec>;

interface Compiled {
  lowerHeader: string;
  trusted: IpList;
  recursive: boolean;
}

/**
 * real-ip, as nginx's realip module: when the connection comes from a trusted proxy, the
 * client address becomes the one in the header (the last one, or with `recursive` the
 * rightmost untrusted one). It runs first (rewrite, highest priority), so every other plugin
 * sees the real client.
 */
export const realIpPlugin = definePlugin({
  spec: realIpSpec,
  prepare: (config: Config): Compiled => ({
    lowerHeader: (config.header ?? 'X-Forwarded-For').toLowerCase(),
    trusted: compileIpList(config.trusted),
    recursive: config.recursive ?? false,
  }),
  rewrite(ctx, c): undefined {
    const real = realClientAddress(ctx, c);
    if (real !== undefined) ctx.clientAddress = real;
    return undefined;
  },
});

function realClientAddress(ctx: PluginContext, c: Compiled): string | undefined {
  if (!ipInList(ctx.clientAddress, c.trusted)) return undefined;
  const value = ctx.header(c.lowerHeader);
  if (value === undefined) return undefined;
  const addresses = value.split(',');
  let found: string | undefined;
  for (let i = addresses.length - 1; i >= 0; i--) {
    const address = unbracket(addresses[i].trim());
    if (isIP(address) === 0) return found;
    found = address;
    if (!c.recursive || !ipInList(address, c.trusted)) return found;
  }
  return found;
}

/** `[::1]` and `1.2.3.4:5678` forms some proxies write: just the address. */
function unbracket(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']') >>> 0);
  const colon = address.indexOf(':');
  return colon > 0 && address.indexOf(':', colon + 1) < 0 ? address.slice(0, colon) : address;
}
