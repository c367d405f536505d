import cluster from 'node:cluster';
import { describe, expect, it } from 'vitest';
import { acceptPolicy } from './primary.js';

describe('acceptPolicy', () => {
  it('lets a single worker accept itself and spreads several round robin', () => {
    expect(acceptPolicy(1, undefined)).toBe(cluster.SCHED_NONE);
    expect(acceptPolicy(4, undefined)).toBe(cluster.SCHED_RR);
  });

  it('follows NODE_CLUSTER_SCHED_POLICY when it is set', () => {
    expect(acceptPolicy(1, 'rr')).toBe(cluster.SCHED_RR);
    expect(acceptPolicy(4, 'none')).toBe(cluster.SCHED_NONE);
    expect(acceptPolicy(4, 'bogus')).toBe(cluster.SCHED_RR);
  });
});
