import { describe, expect, it } from 'vitest';
import { precedenceKey } from './precedence-key.js';

const route = (namespace: string, name: string, creationTimestamp?: string) => ({
  metadata: { namespace, name, ...(creationTimestamp ? { creationTimestamp } : {}) },
});
/** The keys sorted as the data plane compares them (character by character). */
const order = (keys: Record<string, string>) =>
  Object.entries(keys)
    .sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label]) => label);

describe('Gateway API precedence key', () => {
  it('orders as the spec: oldest route, then namespace/name, then rule, then match', () => {
    expect(
      order({
        younger: precedenceKey(route('a', 'a', '2024-01-02T00:00:00Z'), 'HTTPRoute', 0, 0, 0),
        'older, later name': precedenceKey(route('z', 'z', '2024-01-01T00:00:00Z'), 'HTTPRoute', 0, 0, 0),
        'same age, rule 1': precedenceKey(route('z', 'z', '2024-01-01T00:00:00Z'), 'HTTPRoute', 1, 0, 0),
        'same age, rule 0 match 3': precedenceKey(route('z', 'z', '2024-01-01T00:00:00Z'), 'HTTPRoute', 0, 3, 0),
        'rule 10': precedenceKey(route('z', 'z', '2024-01-01T00:00:00Z'), 'HTTPRoute', 10, 0, 0),
        undated: precedenceKey(route('a', 'a'), 'HTTPRoute', 0, 0, 0),
      }),
    ).toEqual(['older, later name', 'same age, rule 0 match 3', 'same age, rule 1', 'rule 10', 'younger', 'undated']);
  });

  it('puts a name before a longer name it begins (alphabetical {namespace}/{name})', () => {
    const at = '2024-01-01T00:00:00Z';
    expect(
      order({
        'shop-v2': precedenceKey(route('default', 'shop-v2', at), 'HTTPRoute', 0, 0, 0),
        shop: precedenceKey(route('default', 'shop', at), 'HTTPRoute', 9, 9, 9),
      }),
    ).toEqual(['shop', 'shop-v2']);
    expect(
      order({ 'a/x': precedenceKey(route('a', 'x', at), 'HTTPRoute', 0, 0, 0), 'a-b/x': precedenceKey(route('a-b', 'x', at), 'HTTPRoute', 0, 0, 0) }),
    ).toEqual(['a-b/x', 'a/x']);
  });

  it('is made from the route alone and readable', () => {
    expect(precedenceKey(route('apps', 'shop', '2024-02-01T00:00:00Z'), 'GRPCRoute', 1, 2, 3)).toBe(
      '2024-02-01T00:00:00.000Z apps/shop 0001 0002 0003 grpcroute',
    );
  });
});
