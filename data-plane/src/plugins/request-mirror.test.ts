import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';
import { requestMirrorPlugin } from './request-mirror.js';

const mirroredOf = (n: number, sampleRatio: number) => {
  const chain = chainFor({ 'request-mirror': { upstreamId: 'shadow', sampleRatio } });
  let mirrored = 0;
  for (let i = 0; i < n; i++) {
    const ctx = makeContext();
    expect(chain.runRequest(ctx)).toBeUndefined();
    if (ctx.mirrors !== undefined) mirrored++;
  }
  return mirrored;
};

describe('request-mirror', () => {
  it('marks every request for the mirror by default, with the defaults filled in, and never answers', async () => {
    const res = await exchange(chainFor({ 'request-mirror': { upstreamId: 'shadow' } }), makeContext({ method: 'POST' }));
    expect(res.answered).toBe(false);
    expect(res.ctx.mirrors).toEqual([{ upstreamId: 'shadow', path: undefined, timeoutMs: 5000, maxBodySize: 1_048_576 }]);
    const custom = await exchange(chainFor({ 'request-mirror': { upstreamId: 'shadow', path: '/copy', timeout: 0.25, maxBodySize: 10 } }), makeContext());
    expect(custom.ctx.mirrors).toEqual([{ upstreamId: 'shadow', path: '/copy', timeoutMs: 250, maxBodySize: 10 }]);
  });

  it('samples: 0 mirrors nothing, 1 everything, 0.5 about half', () => {
    expect(mirroredOf(1000, 0)).toBe(0);
    expect(mirroredOf(1000, 1)).toBe(1000);
    // 4000 draws at p = 0.5: sd ≈ 32, so ±200 is beyond 6 sd.
    const half = mirroredOf(4000, 0.5);
    expect(half).toBeGreaterThan(1800);
    expect(half).toBeLessThan(2200);
  });

  it('compares the draw with the ratio (mirrors when roll < sampleRatio)', () => {
    const compiled = requestMirrorPlugin.prepare!({ upstreamId: 'shadow', sampleRatio: 0.3 }, undefined as never);
    const decide = (roll: number) => {
      compiled.roll = () => roll;
      const ctx = makeContext();
      requestMirrorPlugin.access!(ctx, compiled);
      return ctx.mirrors?.[0]?.upstreamId;
    };
    expect(decide(0)).toBe('shadow');
    expect(decide(0.2999)).toBe('shadow');
    expect(decide(0.3)).toBeUndefined();
    expect(decide(0.99)).toBeUndefined();
  });

  it('mirrors to several targets, each sampled on its own, with the shared timeout and body limit', async () => {
    const config = { targets: [{ upstreamId: 'a' }, { upstreamId: 'b', path: '/b' }], timeout: 1 };
    const both = await exchange(chainFor({ 'request-mirror': config }), makeContext());
    expect(both.ctx.mirrors).toEqual([
      { upstreamId: 'a', path: undefined, timeoutMs: 1000, maxBodySize: 1_048_576 },
      { upstreamId: 'b', path: '/b', timeoutMs: 1000, maxBodySize: 1_048_576 },
    ]);
    const compiled = requestMirrorPlugin.prepare!(
      { targets: [{ upstreamId: 'a', sampleRatio: 0.5 }, { upstreamId: 'b' }, { upstreamId: 'c', sampleRatio: 0 }] },
      undefined as never,
    );
    const chosen = (roll: number) => {
      compiled.roll = () => roll;
      const ctx = makeContext();
      requestMirrorPlugin.access!(ctx, compiled);
      return ctx.mirrors?.map((t) => t.upstreamId);
    };
    expect(chosen(0.1)).toEqual(['a', 'b']);
    expect(chosen(0.9)).toEqual(['b']);
    const none = requestMirrorPlugin.prepare!({ targets: [{ upstreamId: 'a', sampleRatio: 0 }] }, undefined as never);
    const ctx = makeContext();
    requestMirrorPlugin.access!(ctx, none);
    expect(ctx.mirrors).toBeUndefined();
  });

  it('rejects targets mixed with a top-level upstream, and an empty target list', () => {
    expect(() => chainFor({ 'request-mirror': { upstreamId: 'a', targets: [{ upstreamId: 'b' }] } })).toThrow(/inside each of targets/);
    expect(() => chainFor({ 'request-mirror': { targets: [{ upstreamId: 'b' }], sampleRatio: 0.5 } })).toThrow(/sampleRatio/);
    expect(() => chainFor({ 'request-mirror': { targets: [] } })).toThrow(/targets/);
  });

  it('rejects a config without an upstream, a ratio outside 0..1 and a path with a query', () => {
    expect(() => chainFor({ 'request-mirror': {} })).toThrow(/upstreamId/);
    expect(() => chainFor({ 'request-mirror': { upstreamId: 'shadow', sampleRatio: 1.5 } })).toThrow(/sampleRatio/);
    expect(() => chainFor({ 'request-mirror': { upstreamId: 'shadow', path: '/a?b=1' } })).toThrow(/path/);
  });
});
