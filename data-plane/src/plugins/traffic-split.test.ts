import { describe, expect, it } from 'vitest';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

const headerOps = (ctx: { upstreamHeaderOps?: readonly { op: string; name: string; value: string }[] }) =>
  (ctx.upstreamHeaderOps ?? []).map((o) => `${o.op} ${o.name}=${o.value}`);

describe('traffic-split', () => {
  it('picks by weight, interleaved, and never a weight-0 entry', async () => {
    const chain = chainFor({
      'traffic-split': {
        rules: [
          {
            weightedUpstreams: [
              { upstreamId: 'a', weight: 1 },
              { upstreamId: 'b', weight: 3 },
              { upstreamId: 'c', weight: 0 },
            ],
          },
        ],
      },
    });
    const seen: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const { ctx } = await exchange(chain, makeContext());
      seen[String(ctx.backendUpstreamId)] = (seen[String(ctx.backendUpstreamId)] ?? 0) + 1;
    }
    expect(seen).toEqual({ a: 10, b: 30 });
  });

  it("applies the chosen entry's proxyRewrite only, after the route's own proxy-rewrite", async () => {
    const chain = chainFor({
      'proxy-rewrite': { headers: { set: { Backend: 'route', 'X-Route': '1' } } },
      'traffic-split': {
        rules: [
          {
            weightedUpstreams: [
              { upstreamId: 'v1', weight: 1, proxyRewrite: { headers: { set: { Backend: 'v1' } } } },
              { upstreamId: 'v2', weight: 1, proxyRewrite: { headers: { set: { Backend: 'v2' }, remove: ['X-Route'] }, regexUri: ['^/p(/.*)?$', '/q$1'] } },
              { weight: 1 },
            ],
          },
        ],
      },
    });
    const byUpstream = new Map<string | undefined, { ops: string[]; target: string }>();
    for (let i = 0; i < 3; i++) {
      const { ctx } = await exchange(chain, makeContext({ path: '/p/x' }));
      byUpstream.set(ctx.backendUpstreamId, { ops: headerOps(ctx as never), target: ctx.upstreamTarget() });
    }
    expect(byUpstream.get('v1')).toEqual({ ops: ['set Backend=route', 'set X-Route=1', 'set Backend=v1'], target: '/p/x' });
    expect(byUpstream.get('v2')).toEqual({ ops: ['set Backend=route', 'set X-Route=1', 'set Backend=v2', 'remove X-Route='], target: '/q/x' });
    // The route's own backends: only the route's edits.
    expect(byUpstream.get(undefined)).toEqual({ ops: ['set Backend=route', 'set X-Route=1'], target: '/p/x' });
  });

  it('rejects a bad proxyRewrite in an entry with its path', () => {
    expect(() =>
      chainFor({ 'traffic-split': { rules: [{ weightedUpstreams: [{ upstreamId: 'a', weight: 1, proxyRewrite: { regexUri: ['(', 'x'] } }] }] } }),
    ).toThrow(/weightedUpstreams\/0\/proxyRewrite\/regexUri/);
    expect(() => chainFor({ 'traffic-split': { rules: [{ weightedUpstreams: [{ upstreamId: 'a', weight: 1, proxyRewrite: { bogus: 1 } }] }] } })).toThrow(
      /bogus/,
    );
  });
});
