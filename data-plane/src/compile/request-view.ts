import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { MatchInput } from './route-types.js';

/**
 * The parts of one request the predicates read. A matcher owns ONE view and refills it
 * per `match` call (matching is synchronous, so it is never shared between requests):
 * no per-request object, and the query string is parsed only when a candidate asks,
 * at most once.
 */
export class RequestView {
  methodBit = 0;
  headers: IncomingHttpHeaders = NO_HEADERS;
  private rawQuery = '';
  private parsedQuery: Record<string, string | string[] | undefined> | undefined = undefined;

  reset(input: MatchInput, methodBit: number): void {
    this.methodBit = methodBit;
    this.headers = input.headers;
    this.rawQuery = input.query;
    this.parsedQuery = undefined;
  }

  /** Drops the request's objects so an idle matcher does not keep the last request alive. */
  release(): void {
    this.headers = NO_HEADERS;
    this.parsedQuery = undefined;
    this.rawQuery = '';
  }

  /** A header's value; a repeated header (an array only for set-cookie in Node) is joined with ", ". */
  header(lowerCaseName: string): string | undefined {
    const value = this.headers[lowerCaseName];
    return typeof value === 'string' || value === undefined ? value : value.join(', ');
  }

  /** A query parameter's URL-decoded value (`+` as space); the first occurrence wins. */
  queryParam(name: string): string | undefined {
    if (this.parsedQuery === undefined) this.parsedQuery = parseQuery(this.rawQuery);
    const value = this.parsedQuery[name];
    return typeof value === 'string' || value === undefined ? value : value[0];
  }
}

/** node:querystring decodes leniently (a bad `%` escape stays as written) and never throws. */
function parseQuery(raw: string): Record<string, string | string[] | undefined> {
  return raw.length === 0 ? EMPTY_QUERY : parseQueryString(raw);
}

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});
const EMPTY_QUERY: Record<string, string | string[] | undefined> = Object.freeze(Object.create(null));
