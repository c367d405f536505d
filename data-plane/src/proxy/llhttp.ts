import { createRequire } from 'node:module';

/**
 * The one adapter over Node's own llhttp binding (`_http_common`'s HTTPParser), which both the
 * raw client front (requests) and the upstream client (responses) drive the way
 * `lib/_http_server.js` and `lib/_http_client.js` do. It is the parser node:http itself uses,
 * strict, so request-smuggling defences stay Node's; it is also an internal module, so
 * `llhttpSelfTest()` runs at start-up and names what changed if a Node release moved it.
 * `GATEWAY_FRONT=node` serves clients through node:http instead (docs/security.md).
 */
export interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenientFlags?: number): void;
  /** Bytes parsed, or an Error with `code` / `bytesParsed` (HPE_PAUSED when a callback paused it). */
  execute(data: Buffer): number | ParseError;
  finish(): undefined | ParseError;
  resume(): void;
  remove(): void;
  free(): void;
  close(): void;
  [key: number]: unknown;
}
export type ParseError = Error & { code: string; bytesParsed: number };

interface LlhttpParserClass {
  new (): LlhttpParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}

const common = createRequire(import.meta.url)('_http_common') as { HTTPParser: LlhttpParserClass; methods: string[] };
export const HTTPParser = common.HTTPParser;
/** `method` in the headers-complete callback is an index into this list. */
export const METHODS = common.methods;
/** Returned from headers-complete: llhttp stops right there and `execute` reports HPE_PAUSED. */
export const PAUSE_PARSER = 21;

/**
 * Parses a request and a response through the binding and checks every callback the proxy
 * relies on, and that strict mode still refuses a smuggling vector. Returns what is wrong, or
 * undefined when the binding behaves as this code expects.
 */
export function llhttpSelfTest(): string | undefined {
  try {
    if (typeof HTTPParser !== 'function' || !Array.isArray(METHODS)) return '_http_common no longer exports HTTPParser and methods';
    const seen: string[] = [];
    const req = new HTTPParser();
    req.initialize(HTTPParser.REQUEST, {}, 16 * 1024, HTTPParser.kLenientNone);
    req[HTTPParser.kOnMessageBegin] = () => void seen.push('begin');
    req[HTTPParser.kOnHeadersComplete] = (major: number, minor: number, headers: string[], method: number, url: string) => {
      seen.push(`head ${major}.${minor} ${METHODS[method]} ${url} ${headers.join('|')}`);
      return 0;
    };
    req[HTTPParser.kOnBody] = (chunk: Buffer) => void seen.push(`body ${chunk.toString('latin1')}`);
    req[HTTPParser.kOnMessageComplete] = () => void seen.push('complete');
    const good = Buffer.from('POST /a?b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'latin1');
    if (req.execute(good) !== good.length) return 'a valid chunked request did not parse';
    const expected = ['begin', 'head 1.1 POST /a?b Host|x|Transfer-Encoding|chunked', 'body abc', 'complete'];
    if (seen.join('\n') !== expected.join('\n')) return `request callbacks changed: ${JSON.stringify(seen)}`;
    const smuggle = Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'latin1');
    if (typeof req.execute(smuggle) === 'number') return 'strict parsing accepted Content-Length with Transfer-Encoding';
    req.close();
    const res = new HTTPParser();
    res.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
    let status = 0;
    let body = '';
    res[HTTPParser.kOnHeadersComplete] = (_a: number, _b: number, _h: string[], _m: unknown, _u: unknown, s: number) => {
      status = s;
      return 0;
    };
    res[HTTPParser.kOnBody] = (chunk: Buffer) => void (body += chunk.toString('latin1'));
    res[HTTPParser.kOnMessageComplete] = () => undefined;
    const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'latin1');
    if (res.execute(response) !== response.length || status !== 200 || body !== 'ok') return 'a response did not parse';
    res.close();
    return undefined;
  } catch (err) {
    return `the llhttp binding failed: ${(err as Error).message}`;
  }
}
