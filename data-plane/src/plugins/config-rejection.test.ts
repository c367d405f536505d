import { describe, expect, it } from 'vitest';
import { createStaticSource } from '../config/static-source.js';
import { snapshotSummary } from '../config/snapshot-summary.js';
import type { ConfigSnapshot, SnapshotInfo } from '../config/types.js';

describe('plugin configs in the data plane config store', () => {
  it('rejects only the route with a bad plugin config; the others and their plugins still apply', async () => {
    const src = createStaticSource([
      { collection: 'routes', doc: { id: 'good', plugins: { 'limit-count': { count: 5, timeWindow: 1 } } } },
      { collection: 'routes', doc: { id: 'bad', plugins: { 'limit-count': { count: -1, timeWindow: 1 } } } },
      { collection: 'routes', doc: { id: 'unknown', plugins: { 'not-a-plugin': {} } } },
      { collection: 'consumers', doc: { id: 'jack', username: 'jack', plugins: { 'key-auth': {} } } },
    ]);
    const got: Array<[ConfigSnapshot, SnapshotInfo]> = [];
    await src.start((s, i) => got.push([s, i]));
    const [snapshot, info] = got[0]!;
    expect([...snapshot.routes.keys()]).toEqual(['good']);
    expect(snapshot.consumers.size).toBe(0);
    expect(snapshotSummary(snapshot, info).rejected).toEqual(
      expect.arrayContaining([
        { key: 'routes/bad', reason: expect.stringContaining('/plugins/limit-count/count') },
        { key: 'routes/unknown', reason: expect.stringContaining('/plugins/not-a-plugin') },
        { key: 'consumers/jack', reason: expect.stringContaining('/plugins/key-auth/key') },
      ]),
    );
    await src.close();
  });
});
