import type { GatewayApiObject } from './types.js';

/** Rule, match and hostname-group indexes, zero-padded so they compare as numbers (the CRDs allow 16 rules and 64 matches). */
const INDEX_WIDTH = 4;

/**
 * The Gateway API's tie-breaks after match specificity (HTTPRoute and GRPCRoute precedence:
 * the oldest route by creation time, then `{namespace}/{name}` in alphabetical order, then rule
 * and match order), encoded as a route's `match.precedenceKey`, which the data plane compares
 * character by character. The key is made from this route alone, so adding or removing another
 * route never changes it: a change writes only its own documents (issue 14), where dense ranks
 * rewrote every route ranked below.
 *
 * Layout: `<creation time> <namespace>/<name> <rule> <match> <hostname group> <kind>`. The time
 * is ISO 8601 with milliseconds (fixed width, so text order is time order); a route without one
 * sorts after every dated route (`~` follows the digits), as `compareAge` has it. The space ends
 * the name: it sorts before every character a Kubernetes name may hold, so `shop` comes before
 * `shop-v2`. The kind only makes the order total (an HTTPRoute and a GRPCRoute of one name).
 */
export function precedenceKey(route: GatewayApiObject, kind: string, rule: number, match: number, hostGroup: number): string {
  const pad = (n: number) => String(n).padStart(INDEX_WIDTH, '0');
  const namespace = route.metadata?.namespace ?? 'default';
  const name = route.metadata?.name ?? '';
  return `${creationTime(route)} ${namespace}/${name} ${pad(rule)} ${pad(match)} ${pad(hostGroup)} ${kind.toLowerCase()}`;
}

function creationTime(route: GatewayApiObject): string {
  const t = route.metadata?.creationTimestamp;
  const ms = t === undefined ? NaN : new Date(t).getTime();
  return Number.isNaN(ms) ? '~' : new Date(ms).toISOString();
}
