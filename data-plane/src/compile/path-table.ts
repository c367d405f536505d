import type { RequestView } from './request-view.js';
import { RegexIndex } from './regex-index.js';
import { candidatePasses, compareCandidates, type RouteCandidate } from './route-candidate.js';
import type { RouteEntry } from './route-types.js';

/**
 * The routes of one host tier, indexed by path. Lookup order is the path part of the
 * precedence: exact (one Map probe), then regexes (bucketed by their literal start), then
 * prefixes from the longest to the shortest (one Map probe per `/` in the path, so the
 * cost follows the path's length, not the number of routes).
 */
export class PathTable<T extends RouteEntry> {
  private readonly exact = new Map<string, RouteCandidate<T>[]>();
  private readonly regexes = new RegexIndex<T>();
  /** Normalized prefix (no trailing slash; the root `/` is '') → candidates. */
  private readonly prefixes = new Map<string, RouteCandidate<T>[]>();
  /** No prefix is longer: longer slices of the request path need no probe. */
  private longestPrefix = -1;

  addExact(path: string, candidate: RouteCandidate<T>): void {
    pushTo(this.exact, path, candidate);
  }

  addRegex(source: string, regex: RegExp, candidate: RouteCandidate<T>): void {
    this.regexes.add(source, regex, candidate);
  }

  /** `prefix` must already be normalized by `normalizePrefix`. */
  addPrefix(prefix: string, candidate: RouteCandidate<T>): void {
    pushTo(this.prefixes, prefix, candidate);
    if (prefix.length > this.longestPrefix) this.longestPrefix = prefix.length;
  }

  /** Sorts every candidate list by the rest of the precedence key; call once after adding. */
  seal(): void {
    for (const list of this.exact.values()) if (list.length > 1) list.sort(compareCandidates);
    for (const list of this.prefixes.values()) if (list.length > 1) list.sort(compareCandidates);
    this.regexes.seal();
  }

  find(path: string, request: RequestView, singleLabelHost: boolean): T | undefined {
    const exact = this.exact.size === 0 ? undefined : this.exact.get(path);
    if (exact !== undefined) {
      const hit = firstPassing(exact, request, singleLabelHost);
      if (hit !== undefined) return hit;
    }
    const regexHit = this.regexes.find(path, request, singleLabelHost);
    if (regexHit !== undefined) return regexHit;
    if (this.longestPrefix < 0) return undefined;
    // Segment-aware: try the whole path, then the path cut before each '/', longest first.
    // '/foo' is thus found for '/foo', '/foo/' and '/foo/bar' but never for '/foobar'.
    const prefixes = this.prefixes;
    let end = path.length;
    if (end <= this.longestPrefix) {
      const hit = this.prefixHit(path, request, singleLabelHost);
      if (hit !== undefined) return hit;
    } else {
      end = this.longestPrefix + 1;
    }
    for (let cut = path.lastIndexOf('/', end - 1); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
      const hit = this.prefixHit(path.slice(0, cut), request, singleLabelHost);
      if (hit !== undefined) return hit;
    }
    // The root prefix matches everything, also a path that does not start with '/' (`*`).
    const root = prefixes.get('');
    return root === undefined ? undefined : firstPassing(root, request, singleLabelHost);
  }

  private prefixHit(key: string, request: RequestView, singleLabelHost: boolean): T | undefined {
    const list = this.prefixes.get(key);
    return list === undefined ? undefined : firstPassing(list, request, singleLabelHost);
  }
}

/** Drops the trailing slashes of a prefix (`/foo/` ≡ `/foo`); the root `/` becomes ''. */
export function normalizePrefix(prefix: string): string {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0x2f /* / */) end--;
  return end === prefix.length ? prefix : prefix.slice(0, end);
}

function firstPassing<T extends RouteEntry>(list: readonly RouteCandidate<T>[], request: RequestView, singleLabelHost: boolean): T | undefined {
  for (let i = 0; i < list.length; i++) {
    if (candidatePasses(list[i], request, singleLabelHost)) return list[i].entry;
  }
  return undefined;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
