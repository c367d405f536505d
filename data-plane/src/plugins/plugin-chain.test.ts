import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { compilePluginChain } from './compile-plugins.js';
import { buildConsumerIndex } from './consumer-index.js';
import { definePlugin, type Plugin } from './plugin.js';
import { PluginPrepareError } from './prepared-plugin.js';
import { PluginRegistry, createPluginRegistry } from './registry.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

/** A plugin that records the order phases ran in. */
function tracer(name: string, priority: number, opts: { async?: boolean; answer?: number; throws?: boolean } = {}): Plugin {
  return definePlugin({
    spec: { name, priority, version: '1', description: '', attachTo: ['route', 'consumer', 'global-rule', 'plugin-config'], schema: Type.Any(), example: {} },
    prepare: (config: unknown) => config,
    rewrite(ctx, config) {
      (ctx.vars.trace ??= []) as string[];
      (ctx.vars.trace as string[]).push(`${name}:rewrite:${JSON.stringify(config)}`);
      if (opts.throws) throw new Error('boom');
      const answer = opts.answer ? { status: opts.answer } : undefined;
      return opts.async ? Promise.resolve(answer) : answer;
    },
    access(ctx) {
      ((ctx.vars.trace ??= []) as string[]).push(`${name}:access`);
    },
    log(ctx, _c, status) {
      ((ctx.vars.trace ??= []) as string[]).push(`${name}:log:${status}`);
    },
  });
}

const silent = { error() {}, warn() {} };

describe('compilePluginChain', () => {
  it('returns undefined when a route, its plugin config and the global rules have no plugins', () => {
    expect(compilePluginChain(undefined, undefined, [], createPluginRegistry(), { routeId: 'r' })).toBeUndefined();
    expect(compilePluginChain({}, { id: 'pc', plugins: {} }, [{ id: 'g', plugins: {} }], createPluginRegistry(), { routeId: 'r' })).toBeUndefined();
  });

  it('merges route > plugin config > global rule and sorts by priority', () => {
    const registry = new PluginRegistry([tracer('t-low', 10), tracer('t-high', 20), tracer('t-mid', 15)], silent);
    const chain = compilePluginChain(
      { 't-low': 'route' },
      { id: 'pc', plugins: { 't-low': 'config', 't-mid': 'config' } },
      [
        { id: 'b', plugins: { 't-high': 'global-b', 't-mid': 'global-b' } },
        { id: 'a', plugins: { 't-high': 'global-a' } },
      ],
      registry,
      { routeId: 'r' },
    )!;
    const ctx = makeContext();
    expect(chain.runRequest(ctx)).toBeUndefined();
    expect(ctx.vars.trace).toEqual([
      't-high:rewrite:"global-a"',
      't-mid:rewrite:"config"',
      't-low:rewrite:"route"',
      't-high:access',
      't-mid:access',
      't-low:access',
    ]);
  });

  it('stays synchronous when every plugin is, and goes async only from the one that returns a Promise', async () => {
    const registry = new PluginRegistry([tracer('t-a', 30), tracer('t-b', 20, { async: true }), tracer('t-c', 10)], silent);
    const sync = compilePluginChain({ 't-a': 1, 't-c': 1 }, undefined, [], registry, { routeId: 'r' })!;
    expect(sync.runRequest(makeContext())).toBeUndefined();
    const mixed = compilePluginChain({ 't-a': 1, 't-b': 1, 't-c': 1 }, undefined, [], registry, { routeId: 'r' })!;
    const ctx = makeContext();
    const result = mixed.runRequest(ctx);
    expect(result).toBeInstanceOf(Promise);
    expect(ctx.vars.trace).toEqual(['t-a:rewrite:1', 't-b:rewrite:1']);
    expect(await result).toBeUndefined();
    expect(ctx.vars.trace).toEqual(['t-a:rewrite:1', 't-b:rewrite:1', 't-c:rewrite:1', 't-a:access', 't-b:access', 't-c:access']);
  });

  it('stops at a short circuit, sync or async', async () => {
    const registry = new PluginRegistry([tracer('t-a', 30, { answer: 418 }), tracer('t-b', 20, { async: true, answer: 419 }), tracer('t-c', 10)], silent);
    const ctx = makeContext();
    expect(compilePluginChain({ 't-a': 1, 't-c': 1 }, undefined, [], registry, { routeId: 'r' })!.runRequest(ctx)).toEqual({ status: 418 });
    expect(ctx.vars.trace).toEqual(['t-a:rewrite:1']);
    const ctx2 = makeContext();
    expect(await compilePluginChain({ 't-b': 1, 't-c': 1 }, undefined, [], registry, { routeId: 'r' })!.runRequest(ctx2)).toEqual({ status: 419 });
    expect(ctx2.vars.trace).toEqual(['t-b:rewrite:1']);
  });

  it('turns a throwing plugin into a 500 and reports it, without throwing to the proxy', () => {
    const reported: unknown[] = [];
    const registry = new PluginRegistry([tracer('t-bad', 10, { throws: true })], { error: (o) => reported.push(o), warn() {} });
    const chain = compilePluginChain({ 't-bad': 1 }, undefined, [], registry, { routeId: 'r' })!;
    expect(chain.runRequest(makeContext())).toMatchObject({ status: 500 });
    expect(reported).toHaveLength(1);
  });

  it('throws PluginPrepareError for a plugin without implementation or a config prepare refuses', () => {
    const registry = new PluginRegistry([], silent);
    expect(() => compilePluginChain({ cors: {} }, undefined, [], registry, { routeId: 'r' })).toThrow(PluginPrepareError);
    const picky = definePlugin({
      ...tracer('t-picky', 1),
      prepare: () => {
        throw new Error('no');
      },
    });
    expect(() => compilePluginChain({ 't-picky': 1 }, undefined, [], new PluginRegistry([picky], silent), { routeId: 'r7' })).toThrow(/t-picky of r7: no/);
  });

  it('merges the consumer plugins after authentication: consumer wins, its rewrite runs after auth', async () => {
    const registry = createPluginRegistry([tracer('t-x', 5000), tracer('t-y', 100)]);
    const jack = { id: 'jack', username: 'jack', plugins: { 'key-auth': { key: 'jack-key' }, 't-x': 'consumer', 'limit-count': { count: 1, timeWindow: 60 } } };
    const index = buildConsumerIndex([jack], registry);
    const chain = compilePluginChain({ 'key-auth': {}, 't-x': 'route', 't-y': 'route' }, undefined, [], registry, { routeId: 'r', consumers: index })!;
    const ctx = makeContext({ headers: { apikey: 'jack-key', 'x-consumer-username': 'spoofed' } });
    expect(chain.runRequest(ctx)).toBeUndefined();
    // The route's t-x ran in rewrite before auth; the consumer's replaced it for the later phases.
    expect(ctx.vars.trace).toEqual(['t-x:rewrite:"route"', 't-y:rewrite:"route"', 't-x:rewrite:"consumer"', 't-x:access', 't-y:access']);
    expect(ctx.consumer?.username).toBe('jack');
    expect(ctx.chain).not.toBe(chain);
    expect(ctx.upstreamHeaderOps).toContainEqual(expect.objectContaining({ op: 'set', lowerName: 'x-consumer-username', value: 'jack' }));
    // The consumer's limit-count applies: the second request is refused.
    const again = await exchange(chain, makeContext({ headers: { apikey: 'jack-key' } }));
    expect(again.status).toBe(429);
    expect(chain.withConsumer(jack)).toBe(chain.withConsumer(jack));
  });

  it('runs log hooks of the merged chain and survives one that throws', async () => {
    const registry = new PluginRegistry([tracer('t-a', 1)], silent);
    const chain = compilePluginChain({ 't-a': 1 }, undefined, [], registry, { routeId: 'r' })!;
    const ctx = makeContext();
    chain.runRequest(ctx);
    chain.runLog(ctx, 204, 1.5);
    expect((ctx.vars.trace as string[]).at(-1)).toBe('t-a:log:204');
  });

  it('applies context response-header ops before headerFilter hooks (response-rewrite has the last word)', async () => {
    const chain = chainFor({ 'request-id': {}, 'response-rewrite': { headers: { remove: ['X-Request-Id'] } } });
    const res = await exchange(chain, makeContext());
    expect(res.headers['x-request-id']).toBeUndefined();
  });
});
