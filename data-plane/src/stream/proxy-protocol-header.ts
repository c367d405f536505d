import { isIPv4, isIPv6 } from 'node:net';

/** The addresses a PROXY protocol header carries: the client's and the one it connected to. */
export interface ProxiedConnection {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_PROXY_COMMAND = 0x21; // version 2, PROXY
const V2_LOCAL_COMMAND = 0x20; // version 2, LOCAL (addresses unknown)
const TCP_OVER_IPV4 = 0x11;
const TCP_OVER_IPV6 = 0x21;
const UDP_OVER_IPV4 = 0x12;
const UDP_OVER_IPV6 = 0x22;

/**
 * The PROXY protocol header (haproxy's proxy-protocol.txt) that tells an upstream who the
 * client really is. IPv4-mapped IPv6 addresses (dual-stack sockets) are written as IPv4 so
 * both addresses have one family, as the spec requires.
 */
export function proxyProtocolHeader(version: 'v1' | 'v2', conn: ProxiedConnection, transport: 'tcp' | 'udp' = 'tcp'): Buffer {
  const src = unmapped(conn.remoteAddress);
  const dst = unmapped(conn.localAddress);
  const family = isIPv4(src) && isIPv4(dst) ? 4 : isIPv6(src) && isIPv6(dst) ? 6 : 0;
  if (version === 'v1') {
    if (family === 0) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
    return Buffer.from(`PROXY TCP${family} ${src} ${dst} ${conn.remotePort ?? 0} ${conn.localPort ?? 0}\r\n`, 'latin1');
  }
  if (family === 0) return Buffer.concat([V2_SIGNATURE, Buffer.from([V2_LOCAL_COMMAND, 0x00, 0x00, 0x00])]);
  const addressBytes = family === 4 ? 4 : 16;
  const header = Buffer.alloc(16 + addressBytes * 2 + 4);
  V2_SIGNATURE.copy(header, 0);
  header[12] = V2_PROXY_COMMAND;
  header[13] = family === 4 ? (transport === 'tcp' ? TCP_OVER_IPV4 : UDP_OVER_IPV4) : transport === 'tcp' ? TCP_OVER_IPV6 : UDP_OVER_IPV6;
  header.writeUInt16BE(addressBytes * 2 + 4, 14);
  writeAddress(header, 16, src, family);
  writeAddress(header, 16 + addressBytes, dst, family);
  header.writeUInt16BE(conn.remotePort ?? 0, 16 + addressBytes * 2);
  header.writeUInt16BE(conn.localPort ?? 0, 18 + addressBytes * 2);
  return header;
}

function unmapped(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function writeAddress(buf: Buffer, offset: number, address: string, family: 4 | 6): void {
  if (family === 4) {
    const parts = address.split('.');
    for (let i = 0; i < 4; i++) buf[offset + i] = Number(parts[i]);
    return;
  }
  const groups = expandIPv6(address);
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i], offset + i * 2);
}

/** `::1` → eight 16-bit groups (a trailing dotted IPv4 part counts as two). */
function expandIPv6(address: string): number[] {
  const withoutZone = address.split('%')[0];
  const [head, tail] = withoutZone.includes('::') ? withoutZone.split('::') : [withoutZone, undefined];
  const toGroups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const b = part.split('.').map(Number);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else out.push(parseInt(part, 16));
    }
    return out;
  };
  const first = toGroups(head);
  if (tail === undefined) return first;
  const last = toGroups(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}
