import type { RequestView } from './request-view.js';
import type { RouteEntry } from './route-types.js';
import { compileValuePredicate, InvalidMatchError, valuePasses, type ValuePredicate } from './value-predicate.js';

/** The predicates of one route, compiled once and shared by every host/path key the route sits under. */
export interface RouteCandidate<T extends RouteEntry> {
  readonly entry: T;
  /** Bit set of allowed methods; 0 = any method. */
  readonly methodMask: number;
  readonly headers: readonly ValuePredicate[];
  readonly query: readonly ValuePredicate[];
  /** `*.foo.com` matches one label only (Ingress); checked only under a wildcard host key. */
  readonly singleLabelWildcard: boolean;
  readonly priority: number;
  /** `match.precedenceKey`: the source's own tie-break after priority (smaller wins; none comes last). */
  readonly precedenceKey: string | undefined;
  /**
   * Rank a method match before header and query counts (the Gateway API's order). The same for
   * every candidate of one matcher, so the order stays total.
   */
  readonly methodFirst: boolean;
}

const NO_PREDICATES: readonly ValuePredicate[] = Object.freeze([]);

/** Assigns each HTTP method a bit, per compiled table, so a method test is one AND. */
export class MethodBits {
  private readonly bits = new Map<string, number>();

  /** The bit of a request's method; 0 (matches no method-restricted route) if no route names it. */
  of(method: string): number {
    return this.bits.get(method) ?? 0;
  }

  maskOf(methods: readonly string[] | undefined): number {
    if (methods === undefined || methods.length === 0) return 0;
    let mask = 0;
    for (const method of methods) {
      let bit = this.bits.get(method);
      if (bit === undefined) {
        if (this.bits.size >= 30) throw new InvalidMatchError('match.methods: more than 30 distinct HTTP methods in one table');
        bit = 1 << this.bits.size;
        this.bits.set(method, bit);
      }
      mask |= bit;
    }
    return mask;
  }
}

/** Compiles a route's predicates; throws InvalidMatchError for a condition that cannot compile. */
export function compileRouteCandidate<T extends RouteEntry>(entry: T, methodBits: MethodBits, methodFirst = false): RouteCandidate<T> {
  const match = entry.route.match;
  const headers = match?.headers?.length ? match.headers.map((h, i) => compileValuePredicate(h, true, `match.headers[${i}]`)) : NO_PREDICATES;
  const query = match?.query?.length ? match.query.map((q, i) => compileValuePredicate(q, false, `match.query[${i}]`)) : NO_PREDICATES;
  return {
    entry,
    methodMask: methodBits.maskOf(match?.methods),
    headers,
    query,
    singleLabelWildcard: match?.hostWildcard === 'single-label',
    priority: match?.priority ?? entry.route.priority ?? 0,
    precedenceKey: match?.precedenceKey,
    methodFirst,
  };
}

/**
 * The precedence key after path specificity (DESIGN.md "Route"): more header conditions,
 * more query conditions, a method list, higher priority, the smaller `precedenceKey` (a route
 * with one before a route without), older document, then id, so the order is total and the
 * result deterministic. With `methodFirst` (a matcher of Gateway API
 * routes only) the method list comes before the header count, as that spec ranks it.
 * Lists under one key are sorted by it once, so at match time the first candidate whose
 * predicates pass wins.
 */
export function compareCandidates<T extends RouteEntry>(a: RouteCandidate<T>, b: RouteCandidate<T>): number {
  const method = (b.methodMask !== 0 ? 1 : 0) - (a.methodMask !== 0 ? 1 : 0);
  return (
    (a.methodFirst ? method : 0) ||
    b.headers.length - a.headers.length ||
    b.query.length - a.query.length ||
    method ||
    b.priority - a.priority ||
    compareKeys(a.precedenceKey, b.precedenceKey) ||
    a.entry.createRevision - b.entry.createRevision ||
    (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0)
  );
}

/** Smaller key first; a route without a key after every route with one. */
function compareKeys(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/**
 * Whether a request satisfies a route's method, header and query conditions.
 * `singleLabelHost` says whether the request host has exactly one label before the
 * wildcard suffix being tried (always true outside the wildcard tier).
 */
export function candidatePasses<T extends RouteEntry>(candidate: RouteCandidate<T>, request: RequestView, singleLabelHost: boolean): boolean {
  if (candidate.methodMask !== 0 && (candidate.methodMask & request.methodBit) === 0) return false;
  if (candidate.singleLabelWildcard && !singleLabelHost) return false;
  const headers = candidate.headers;
  for (let i = 0; i < headers.length; i++) {
    if (!valuePasses(headers[i], request.header(headers[i].name))) return false;
  }
  const query = candidate.query;
  for (let i = 0; i < query.length; i++) {
    if (!valuePasses(query[i], request.queryParam(query[i].name))) return false;
  }
  return true;
}
