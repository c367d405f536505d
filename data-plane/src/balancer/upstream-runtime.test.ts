import type { Upstream } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import type { NodeRef, PickContext } from './types.js';
import { createUpstreamRuntime } from './upstream-runtime.js';

const ctx = (cookie?: string, remoteAddress = '10.1.1.1'): PickContext => ({
  remoteAddress,
  headers: cookie ? { cookie } : {},
  url: '/',
});
const fail = { status: 503, latencyMs: 1 };
const ok = { status: 200, latencyMs: 1 };

function runtime(doc: Omit<Upstream, 'id'>, clock = { t: 1_000 }) {
  const changes: [string, boolean][] = [];
  const logs: object[] = [];
  const rt = createUpstreamRuntime(
    'u1',
    { id: 'u1', ...doc },
    {
      now: () => clock.t,
      onHealthChange: (key, healthy) => changes.push([key, healthy]),
      logger: { warn: (obj) => logs.push(obj) },
    },
  );
  return { rt, changes, logs, clock };
}

describe('createUpstreamRuntime', () => {
  it('applies node defaults and never picks weight-0 nodes', () => {
    const { rt } = runtime({
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2, weight: 0 },
        { host: '::1', port: 3 },
      ],
    });
    expect(rt.nodes.map((n) => [n.key, n.weight, n.priority])).toEqual([
      ['a:1', 1, 0],
      ['b:2', 0, 0],
      ['[::1]:3', 1, 0],
    ]);
    const picked = new Set(Array.from({ length: 20 }, () => rt.select(ctx())!.node.key));
    expect([...picked].sort()).toEqual(['[::1]:3', 'a:1']);
    expect(rt.health()).toEqual([
      { key: 'a:1', healthy: true },
      { key: 'b:2', healthy: true },
      { key: '[::1]:3', healthy: true },
    ]);
  });

  it('uses backup (lower priority) nodes only when every primary is down', () => {
    const { rt, clock } = runtime({
      nodes: [
        { host: 'p1', port: 1, priority: 10 },
        { host: 'p2', port: 1, priority: 10 },
        { host: 'backup', port: 1, priority: 0 },
      ],
      checks: { passive: { failures: 1, ejectSeconds: 5 } },
    });
    const keys = () => new Set(Array.from({ length: 10 }, () => rt.select(ctx())!.node.key));
    expect(keys()).toEqual(new Set(['p1:1', 'p2:1']));
    rt.onAttemptEnd(rt.nodes[0], fail);
    expect(keys()).toEqual(new Set(['p2:1']));
    rt.onAttemptEnd(rt.nodes[1], fail);
    expect(keys()).toEqual(new Set(['backup:1']));
    clock.t += 5_000;
    expect(keys()).toEqual(new Set(['p1:1', 'p2:1']));
  });

  it('sends retries to nodes not tried yet, then gives up', () => {
    const { rt } = runtime({
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 1 },
        { host: 'c', port: 1, priority: -1 },
      ],
    });
    const tried: NodeRef[] = [];
    for (let i = 0; i < 3; i++) {
      const node = rt.select(ctx(), tried)!.node;
      expect(tried).not.toContain(node);
      tried.push(node);
    }
    expect(tried.map((n) => n.key)).toContain('c:1');
    expect(tried[2].key).toBe('c:1');
    expect(rt.select(ctx(), tried)).toBeUndefined();
  });

  it('returns undefined when every node is unhealthy, and logs each transition once', () => {
    const { rt, changes, logs } = runtime({
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 1 },
      ],
      checks: { passive: { failures: 2, ejectSeconds: 10 } },
    });
    for (const node of rt.nodes) {
      rt.onAttemptEnd(node, fail);
      rt.onAttemptEnd(node, { error: 'timeout', latencyMs: 1 });
      rt.onAttemptEnd(node, fail); // already ejected: no second transition
    }
    expect(rt.select(ctx())).toBeUndefined();
    expect(changes).toEqual([
      ['a:1', false],
      ['b:1', false],
    ]);
    expect(logs[0]).toMatchObject({ upstream: 'u1', node: 'a:1', healthy: false });
    expect((logs[0] as { reason: string }).reason).toMatch(/2 consecutive failures/);
    expect(rt.health().every((h) => !h.healthy)).toBe(true);
  });

  it('without checks, a connect error takes a node out for 2 s (not a 5xx, not a single node)', () => {
    const { rt, clock } = runtime({
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 1 },
      ],
    });
    rt.onAttemptEnd(rt.nodes[0], fail);
    expect(rt.health()[0].healthy).toBe(true);
    rt.onAttemptEnd(rt.nodes[0], { error: 'connect', latencyMs: 1 });
    expect(rt.health()[0].healthy).toBe(false);
    for (let i = 0; i < 5; i++) expect(rt.select(ctx())!.node.key).toBe('b:1');
    clock.t += 2_000;
    expect(rt.health()[0].healthy).toBe(true);

    const single = runtime({ nodes: [{ host: 'only', port: 1 }] }).rt;
    single.onAttemptEnd(single.nodes[0], { error: 'connect', latencyMs: 1 });
    expect(single.select(ctx())!.node.key).toBe('only:1');
  });

  it('passive ejection is half-open after ejectSeconds: one failure ejects again, a success resets', () => {
    const { rt, clock, changes } = runtime({
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 1 },
      ],
      checks: { passive: { failures: 3, ejectSeconds: 10, httpStatuses: [502] } },
    });
    const a = rt.nodes[0];
    rt.onAttemptEnd(a, { status: 500, latencyMs: 1 }); // not listed
    rt.onAttemptEnd(a, fail); // 503 not listed either
    rt.onAttemptEnd(a, { status: 502, latencyMs: 1 });
    rt.onAttemptEnd(a, { status: 502, latencyMs: 1 });
    rt.onAttemptEnd(a, ok); // resets
    rt.onAttemptEnd(a, { status: 502, latencyMs: 1 });
    rt.onAttemptEnd(a, { status: 502, latencyMs: 1 });
    expect(rt.health()[0].healthy).toBe(true);
    rt.onAttemptEnd(a, { error: 'reset', latencyMs: 1 });
    expect(rt.health()[0].healthy).toBe(false);
    clock.t += 9_999;
    expect(rt.health()[0].healthy).toBe(false);
    clock.t += 1;
    expect(rt.health()[0].healthy).toBe(true);
    rt.onAttemptEnd(a, { status: 502, latencyMs: 1 });
    expect(rt.health()[0].healthy).toBe(false);
    clock.t += 10_000;
    rt.onAttemptEnd(a, ok);
    rt.onAttemptEnd(a, { status: 502, latencyMs: 1 });
    expect(rt.health()[0].healthy).toBe(true);
    expect(changes).toEqual([
      ['a:1', false],
      ['a:1', true],
      ['a:1', false],
      ['a:1', true],
    ]);
  });

  it('cookie affinity keeps a client on one node and moves it when the node goes unhealthy', () => {
    const { rt } = runtime({
      nodes: [
        { host: '10.0.0.1', port: 80 },
        { host: '10.0.0.2', port: 80 },
        { host: '10.0.0.3', port: 80 },
      ],
      affinity: { type: 'cookie', name: 'stick', ttl: 60 },
      checks: { passive: { failures: 1 } },
    });
    const first = rt.select(ctx())!;
    expect(first.setCookie).toMatch(/^stick=[0-9a-z]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=60$/);
    expect(first.setCookie).not.toContain('10.0.0');
    const cookie = first.setCookie!.split(';')[0];
    for (let i = 0; i < 10; i++) {
      const again = rt.select(ctx(`other=1; ${cookie}`))!;
      expect(again.node).toBe(first.node);
      expect(again.setCookie).toBeUndefined();
    }
    rt.onAttemptEnd(first.node, fail);
    const moved = rt.select(ctx(cookie))!;
    expect(moved.node).not.toBe(first.node);
    expect(moved.setCookie).toBeDefined();
    expect(moved.setCookie!.split(';')[0]).not.toBe(cookie);
    // A retry that already tried the pinned node goes elsewhere, too.
    const other = rt.select(ctx(moved.setCookie!.split(';')[0]), [moved.node])!;
    expect(other.node).not.toBe(moved.node);
    // A forged or stale cookie is ignored, not trusted.
    expect(rt.select(ctx('stick=bogus'))!.setCookie).toBeDefined();
  });

  it('session affinity cookies have no Max-Age; default name and path apply', () => {
    const { rt } = runtime({ nodes: [{ host: 'a', port: 1 }], affinity: { type: 'cookie' } });
    expect(rt.select(ctx())!.setCookie).toMatch(/^sluice_affinity=[0-9a-z]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('forwards attempts to the picker (least_conn) and hands out every algorithm', () => {
    const { rt } = runtime({
      type: 'least_conn',
      nodes: [
        { host: 'a', port: 1 },
        { host: 'b', port: 1 },
      ],
    });
    rt.onAttemptStart(rt.nodes[0]);
    for (let i = 0; i < 4; i++) expect(rt.select(ctx())!.node.key).toBe('b:1');
    rt.onAttemptEnd(rt.nodes[0], ok);
    rt.onAttemptStart(rt.nodes[1]);
    expect(rt.select(ctx())!.node.key).toBe('a:1');
    for (const type of ['roundrobin', 'chash', 'ewma'] as const) {
      const r = runtime({
        type,
        nodes: [
          { host: 'a', port: 1 },
          { host: 'b', port: 1 },
        ],
      }).rt;
      expect(['a:1', 'b:1']).toContain(r.select(ctx())!.node.key);
      r.close();
    }
  });

  it('returns undefined for an upstream with no pickable nodes', () => {
    expect(runtime({ nodes: [] }).rt.select(ctx())).toBeUndefined();
    expect(runtime({ nodes: [{ host: 'a', port: 1, weight: 0 }] }).rt.select(ctx())).toBeUndefined();
  });
});
