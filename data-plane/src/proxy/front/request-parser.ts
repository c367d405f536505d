import { HTTPParser, type LlhttpParser } from '../llhttp.js';

const freeParsers: LlhttpParser[] = [];
const MAX_FREE = 256;

/** A strict (never lenient) request parser, reused from the free list when one is there. */
export function acquireParser(maxHeaderSize: number): LlhttpParser {
  const parser = freeParsers.pop() ?? new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, maxHeaderSize, HTTPParser.kLenientNone);
  return parser;
}

/** Called outside any parser callback (the socket closed or was handed over). */
export function releaseParser(parser: LlhttpParser): void {
  for (const k of [HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnHeadersComplete, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete]) {
    parser[k] = null;
  }
  if (freeParsers.length < MAX_FREE) {
    parser.remove();
    parser.free();
    freeParsers.push(parser);
  } else parser.close();
}
