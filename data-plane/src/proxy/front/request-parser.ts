import { createRequire } from 'node:module';

/** Node's own llhttp binding in REQUEST mode, driven the way `lib/_http_server.js` drives it. */
export interface RequestParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
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

interface RequestParserClass {
  new (): RequestParser;
  REQUEST: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}

const common = createRequire(import.meta.url)('_http_common') as { HTTPParser: RequestParserClass; methods: string[] };
export const HTTPParser = common.HTTPParser;
/** `method` in the headers-complete callback is an index into this list. */
export const METHODS = common.methods;
/** Returned from headers-complete: llhttp stops right there and `execute` reports HPE_PAUSED. */
export const PAUSE_PARSER = 21;

const freeParsers: RequestParser[] = [];
const MAX_FREE = 256;

/** A strict (never lenient) request parser, reused from the free list when one is there. */
export function acquireParser(maxHeaderSize: number): RequestParser {
  const parser = freeParsers.pop() ?? new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, maxHeaderSize, HTTPParser.kLenientNone);
  return parser;
}

/** Called outside any parser callback (the socket closed or was handed over). */
export function releaseParser(parser: RequestParser): void {
  for (const k of [HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnHeadersComplete, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete]) {
    parser[k] = null;
  }
  if (freeParsers.length < MAX_FREE) {
    parser.remove();
    parser.free();
    freeParsers.push(parser);
  } else parser.close();
}
