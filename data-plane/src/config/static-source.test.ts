import { describe, expect, it } from 'vitest';
import { createStaticSource } from './static-source.js';
import { snapshotSummary } from './snapshot-summary.js';
import type { ConfigSnapshot, SnapshotInfo } from './types.js';

describe('createStaticSource', () => {
  it('delivers valid documents with origin static and rejects bad ones by key', async () => {
    const src = createStaticSource([
      { collection: 'routes', doc: { id: 'r1', match: { paths: [{ type: 'exact', value: '/' }] } } },
      { collection: 'routes', doc: { id: 'r2', match: { paths: [{ type: 'exact', value: 'no-slash' }] } } },
      { collection: 'routes', doc: { name: 'no id' } },
      { collection: 'consumers', doc: { id: 'alice', username: 'alice' } },
    ]);
    const got: Array<[ConfigSnapshot, SnapshotInfo]> = [];
    await src.start((s, i) => got.push([s, i]));
    expect(src.state).toBe('live');
    expect(got).toHaveLength(1);
    const [snapshot, info] = got[0]!;
    expect(info.origin).toBe('static');
    expect([...snapshot.routes.keys()]).toEqual(['r1']);
    expect(snapshot.consumers.has('alice')).toBe(true);
    expect(snapshotSummary(snapshot, info)).toMatchObject({
      revision: 4,
      origin: 'static',
      documents: { routes: 1, consumers: 1, upstreams: 0 },
      rejected: [
        { key: 'routes/r2', reason: expect.stringMatching(/must start with \//) },
        { key: 'routes/#2', reason: expect.stringMatching(/id/) },
      ],
    });
    await src.close();
    expect(src.state).toBe('closed');
  });
});
