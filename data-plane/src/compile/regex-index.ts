import type { RequestView } from './request-view.js';
import { candidatePasses, compareCandidates, type RouteCandidate } from './route-candidate.js';
import type { RouteEntry } from './route-types.js';

interface RegexCandidate<T extends RouteEntry> {
  readonly regex: RegExp;
  readonly candidate: RouteCandidate<T>;
}

/**
 * Regex paths, bucketed so a request tests only the regexes that could match it.
 * A pattern's literal start (`/users/[0-9]+` → `/users/`) is a prefix of every path it
 * matches, so it is filed under that literal cut at its last '/' (`/users`), and a request
 * visits only the buckets named by its own '/'-cuts (plus '', for patterns with no usable
 * literal start). Buckets are sorted by precedence; the best first-passing candidate
 * across the visited buckets wins.
 */
export class RegexIndex<T extends RouteEntry> {
  private readonly buckets = new Map<string, RegexCandidate<T>[]>();
  private longestKey = -1;

  get size(): number {
    return this.buckets.size;
  }

  add(source: string, regex: RegExp, candidate: RouteCandidate<T>): void {
    const literal = literalStart(source);
    const key = literal.slice(0, Math.max(0, literal.lastIndexOf('/')));
    const bucket = this.buckets.get(key);
    if (bucket === undefined) this.buckets.set(key, [{ regex, candidate }]);
    else bucket.push({ regex, candidate });
    if (key.length > this.longestKey) this.longestKey = key.length;
  }

  seal(): void {
    for (const bucket of this.buckets.values()) {
      if (bucket.length > 1) bucket.sort((a, b) => compareCandidates(a.candidate, b.candidate));
    }
  }

  find(path: string, request: RequestView, singleLabelHost: boolean): T | undefined {
    if (this.longestKey < 0) return undefined;
    let best = this.bestIn('', undefined, path, request, singleLabelHost);
    const from = Math.min(path.length - 1, this.longestKey);
    for (let cut = path.lastIndexOf('/', from); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
      best = this.bestIn(path.slice(0, cut), best, path, request, singleLabelHost);
    }
    return best?.entry;
  }

  private bestIn(
    key: string,
    best: RouteCandidate<T> | undefined,
    path: string,
    request: RequestView,
    singleLabelHost: boolean,
  ): RouteCandidate<T> | undefined {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return best;
    for (let i = 0; i < bucket.length; i++) {
      const { regex, candidate } = bucket[i];
      // Sorted bucket: once a candidate ranks below the best so far, none after it can win.
      if (best !== undefined && compareCandidates(candidate, best) > 0) return best;
      if (regex.test(path) && candidatePasses(candidate, request, singleLabelHost)) return candidate;
    }
    return best;
  }
}

/**
 * The literal text every match of `source` starts with, conservatively: it stops at the
 * first regex syntax character, drops a last character made optional by `?`, `*` or `{`,
 * and is empty when the pattern has an alternation anywhere (it might be top-level).
 */
export function literalStart(source: string): string {
  if (source.includes('|')) return '';
  let end = 0;
  while (end < source.length && !SYNTAX.has(source[end])) end++;
  const next = source[end];
  if (end > 0 && (next === '?' || next === '*' || next === '{')) end--;
  return source.slice(0, end);
}

const SYNTAX = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
