import { describe, expect, it } from 'vitest';
import { compilePluginChain } from './compile-plugins.js';
import { chainFor } from './plugin-test-kit.js';
import { createPluginRegistry } from './registry.js';

describe('client-control', () => {
  it('costs a route nothing per request: the pipeline enforces the limit, so no chain runs it', () => {
    const registry = createPluginRegistry();
    expect(compilePluginChain({ 'client-control': { maxBodySize: 10 } }, undefined, [], registry, { routeId: 'r1' })).toBeUndefined();
    expect(chainFor({ 'client-control': { maxBodySize: 10 }, cors: {} }).plugins.map((p) => p.name)).toEqual(['cors']);
  });

  it('rejects a negative size at validation', () => {
    expect(() => chainFor({ 'client-control': { maxBodySize: -1 } })).toThrow(/client-control\/maxBodySize/);
  });
});
