/** What the bytes received so far say about the server name of a TLS ClientHello. */
export type ClientHelloPeek = { kind: 'incomplete' } | { kind: 'hello'; serverName: string | undefined } | { kind: 'invalid'; reason: string };

const RECORD_HEADER = 5;
const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME_EXTENSION = 0x0000;
const HOST_NAME = 0x00;
/** ClientHellos are a few hundred bytes; post-quantum key shares push them past 1 KiB. Anything bigger is refused. */
export const MAX_CLIENT_HELLO = 16 * 1024;

const INCOMPLETE: ClientHelloPeek = { kind: 'incomplete' };

/**
 * Reads the SNI of a ClientHello without terminating TLS (RFC 8446 §4.1.2, RFC 6066 §3).
 * `data` is everything the client sent so far: the ClientHello may be split across several
 * handshake records and across TCP segments, so the handshake message is reassembled from
 * consecutive records before it is parsed. Never reads past the buffer; never throws.
 */
export function peekClientHelloSni(data: Buffer): ClientHelloPeek {
  const fragments: Buffer[] = [];
  let gathered = 0;
  let needed = -1;
  let offset = 0;
  while (needed < 0 || gathered < needed) {
    if (data.length < offset + RECORD_HEADER) return INCOMPLETE;
    if (data[offset] !== HANDSHAKE_RECORD) return { kind: 'invalid', reason: 'not a TLS handshake record' };
    if (data[offset + 1] !== 3) return { kind: 'invalid', reason: 'unknown TLS record version' };
    const length = data.readUInt16BE(offset + 3);
    if (length === 0) return { kind: 'invalid', reason: 'empty TLS record' };
    if (data.length < offset + RECORD_HEADER + length) return INCOMPLETE;
    const fragment = data.subarray(offset + RECORD_HEADER, offset + RECORD_HEADER + length);
    fragments.push(fragment);
    gathered += fragment.length;
    offset += RECORD_HEADER + length;
    if (needed < 0 && gathered >= 4) {
      const head = fragments.length === 1 ? fragment : Buffer.concat(fragments);
      if (head[0] !== CLIENT_HELLO) return { kind: 'invalid', reason: 'first handshake message is not a ClientHello' };
      needed = 4 + head.readUIntBE(1, 3);
      if (needed > MAX_CLIENT_HELLO) return { kind: 'invalid', reason: 'ClientHello too large' };
    }
  }
  const message = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments);
  return parseClientHello(message.subarray(4, needed));
}

/** The ClientHello body: version, random, session id, cipher suites, compression, extensions. */
function parseClientHello(body: Buffer): ClientHelloPeek {
  let p = 2 + 32; // legacy_version, random
  if (body.length < p + 1) return malformed;
  p += 1 + body[p]; // session id
  if (body.length < p + 2) return malformed;
  p += 2 + body.readUInt16BE(p); // cipher suites
  if (body.length < p + 1) return malformed;
  p += 1 + body[p]; // compression methods
  if (body.length === p) return { kind: 'hello', serverName: undefined }; // no extensions at all
  if (body.length < p + 2) return malformed;
  const end = p + 2 + body.readUInt16BE(p);
  if (end > body.length) return malformed;
  p += 2;
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p);
    const length = body.readUInt16BE(p + 2);
    p += 4;
    if (p + length > end) return malformed;
    if (type === SERVER_NAME_EXTENSION) return parseServerName(body.subarray(p, p + length));
    p += length;
  }
  return { kind: 'hello', serverName: undefined };
}

function parseServerName(ext: Buffer): ClientHelloPeek {
  if (ext.length < 2) return malformed;
  const end = Math.min(ext.length, 2 + ext.readUInt16BE(0));
  let p = 2;
  while (p + 3 <= end) {
    const type = ext[p];
    const length = ext.readUInt16BE(p + 1);
    p += 3;
    if (p + length > end) return malformed;
    if (type === HOST_NAME) {
      const name = ext.toString('latin1', p, p + length);
      // Host names are ASCII letters, digits, dots and hyphens; anything else is not routable.
      if (length === 0 || length > 253 || !/^[A-Za-z0-9._-]+$/.test(name)) return { kind: 'invalid', reason: 'malformed server name' };
      return { kind: 'hello', serverName: name.toLowerCase() };
    }
    p += length;
  }
  return { kind: 'hello', serverName: undefined };
}

const malformed: ClientHelloPeek = { kind: 'invalid', reason: 'malformed ClientHello' };
