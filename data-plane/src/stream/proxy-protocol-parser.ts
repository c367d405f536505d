import { isIP } from 'node:net';

/** Where a connection really came from, as a load balancer's PROXY header tells it. */
export interface ProxyHeaderAddresses {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export type ProxyHeaderParse =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  /** `addresses` is undefined for v1 `UNKNOWN`, v2 `LOCAL` and non-IP families: keep the socket's own. */
  | { kind: 'header'; length: number; addresses: ProxyHeaderAddresses | undefined };

/** The longest v1 line, CRLF included (proxy-protocol.txt, 2.1). */
export const MAX_V1_HEADER = 107;
/** v2 headers may carry TLVs (AWS, GCP add a few dozen bytes); more than this is refused. */
export const MAX_V2_HEADER = 16 + 2048;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/**
 * Reads a PROXY protocol v1 or v2 header (haproxy's proxy-protocol.txt) at the start of `buf`,
 * which holds what the connection has sent so far: 'incomplete' asks for more bytes, 'header'
 * gives its length (the bytes to strip) and the addresses it carries.
 */
export function parseProxyProtocolHeader(buf: Buffer): ProxyHeaderParse {
  if (startsLike(buf, V2_SIGNATURE)) return buf.length < V2_SIGNATURE.length ? { kind: 'incomplete' } : parseV2(buf);
  if (startsLike(buf, V1_PREFIX)) return buf.length < V1_PREFIX.length ? { kind: 'incomplete' } : parseV1(buf);
  return { kind: 'invalid', reason: 'no PROXY protocol header' };
}

/** Whether `buf` and `prefix` agree on their common length. */
function startsLike(buf: Buffer, prefix: Buffer): boolean {
  const n = Math.min(buf.length, prefix.length);
  return buf.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(buf: Buffer): ProxyHeaderParse {
  const end = buf.subarray(0, MAX_V1_HEADER).indexOf('\r\n');
  if (end < 0) return buf.length >= MAX_V1_HEADER ? { kind: 'invalid', reason: 'v1 header longer than 107 bytes' } : { kind: 'incomplete' };
  const length = end + 2;
  const fields = buf.toString('latin1', V1_PREFIX.length, end).split(' ');
  if (fields[0] === 'UNKNOWN') return { kind: 'header', length, addresses: undefined };
  if ((fields[0] !== 'TCP4' && fields[0] !== 'TCP6') || fields.length !== 5) return { kind: 'invalid', reason: 'malformed v1 header' };
  const [, src, dst, sport, dport] = fields;
  const family = fields[0] === 'TCP4' ? 4 : 6;
  const remotePort = port(sport);
  const localPort = port(dport);
  if (!isAddress(src, family) || !isAddress(dst, family) || remotePort === undefined || localPort === undefined) {
    return { kind: 'invalid', reason: 'malformed v1 addresses' };
  }
  return { kind: 'header', length, addresses: { remoteAddress: src, remotePort, localAddress: dst, localPort } };
}

function parseV2(buf: Buffer): ProxyHeaderParse {
  if (buf.length < 16) return { kind: 'incomplete' };
  const versionCommand = buf[12];
  if (versionCommand >> 4 !== 2) return { kind: 'invalid', reason: 'v2 header with a version other than 2' };
  const command = versionCommand & 0x0f;
  if (command > 1) return { kind: 'invalid', reason: 'v2 header with an unknown command' };
  const length = 16 + buf.readUInt16BE(14);
  if (length > MAX_V2_HEADER) return { kind: 'invalid', reason: `v2 header longer than ${MAX_V2_HEADER} bytes` };
  if (buf.length < length) return { kind: 'incomplete' };
  // LOCAL: the balancer's own connection (health checks); the socket's addresses are the truth.
  if (command === 0) return { kind: 'header', length, addresses: undefined };
  const family = buf[13] >> 4;
  if (family === 1 && length >= 16 + 12) {
    return {
      kind: 'header',
      length,
      addresses: { remoteAddress: ipv4(buf, 16), localAddress: ipv4(buf, 20), remotePort: buf.readUInt16BE(24), localPort: buf.readUInt16BE(26) },
    };
  }
  if (family === 2 && length >= 16 + 36) {
    return {
      kind: 'header',
      length,
      addresses: { remoteAddress: ipv6(buf, 16), localAddress: ipv6(buf, 32), remotePort: buf.readUInt16BE(48), localPort: buf.readUInt16BE(50) },
    };
  }
  if (family === 1 || family === 2) return { kind: 'invalid', reason: 'v2 header too short for its addresses' };
  return { kind: 'header', length, addresses: undefined };
}

function port(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65_535 ? n : undefined;
}

function isAddress(text: string, family: 4 | 6): boolean {
  return isIP(text) === family;
}

function ipv4(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Sixteen bytes as a compressed IPv6 address (`::1`), the form sockets report. */
function ipv6(buf: Buffer, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(offset + i * 2));
  // The longest run of two or more zero groups becomes '::'.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
