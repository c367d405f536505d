import { describe, expect, it } from 'vitest';
import { buildConsumerIndex } from './consumer-index.js';
import { createPluginRegistry } from './registry.js';

describe('buildConsumerIndex', () => {
  const registry = createPluginRegistry();
  const consumers = [
    { id: 'zoe', username: 'zoe', plugins: { 'key-auth': { key: 'shared' }, 'basic-auth': { username: 'z', password: 'p' } } },
    { id: 'amy', username: 'amy', plugins: { 'key-auth': { key: 'shared' }, 'limit-count': { count: 3, timeWindow: 60 } } },
    { id: 'bob', username: 'bob', plugins: { 'limit-count': { count: 1, timeWindow: 1, key: 'bogus-at-runtime' } } },
  ];
  const index = buildConsumerIndex(consumers, registry);

  it('indexes credentials per auth plugin; a duplicate goes to the first username and is reported', () => {
    expect(index.find('key-auth', 'shared')?.consumer.username).toBe('amy');
    expect(index.find('basic-auth', 'z')?.consumer.username).toBe('zoe');
    expect(index.find('basic-auth', 'shared')).toBeUndefined();
    expect(index.problems).toEqual([expect.stringMatching(/key-auth credential of consumer zoe duplicates amy/)]);
  });

  it('prepares the non-auth plugins of a consumer once, never the credentials', () => {
    expect(index.pluginsOf(consumers[1]).map((p) => p.name)).toEqual(['limit-count']);
    expect(index.pluginsOf(consumers[0])).toEqual([]);
    expect(index.pluginsOf(consumers[1])[0].origin).toBe('consumer');
  });
});
