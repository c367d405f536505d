import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/ports.js';
import { logFileSink, reopenLogFiles } from './log-file-sink.js';
import { chainFor, exchange, makeContext } from './plugin-test-kit.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-file-logger-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function lines(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('file-logger', () => {
  it('writes one JSON line per request with the default fields', async () => {
    const file = path.join(dir, 'default.log');
    const chain = chainFor({ 'request-id': {}, 'file-logger': { path: file } });
    const ctx = makeContext({ method: 'POST', path: '/orders', query: 'a=1', headers: { host: 'shop.example.com' }, clientAddress: '10.0.0.7' });
    await exchange(chain, ctx);
    ctx.upstreamAddress = '127.0.0.1:8080';
    chain.runLog(ctx, 201, 12.34567);
    await waitFor(() => lines(file).length === 1, 5000, 'the log line');
    const [entry] = lines(file);
    expect(Object.keys(entry)).toEqual(['time', 'routeId', 'method', 'host', 'path', 'status', 'durationMs', 'clientAddress', 'upstream', 'requestId']);
    expect(entry).toMatchObject({
      routeId: 'r1',
      method: 'POST',
      host: 'shop.example.com',
      path: '/orders',
      status: 201,
      durationMs: 12.346,
      clientAddress: '10.0.0.7',
      upstream: '127.0.0.1:8080',
    });
    expect(entry.requestId).toBe(ctx.vars.requestId);
    expect(Date.now() - Date.parse(entry.time)).toBeLessThan(60_000);
  });

  it('keeps only the chosen fields, in their order, and names the consumer', async () => {
    const file = path.join(dir, 'chosen.log');
    const chain = chainFor({ 'key-auth': {}, 'file-logger': { path: file, includeFields: ['status', 'consumer', 'query', 'bytes'] } }, [
      { id: 'alice', username: 'alice', plugins: { 'key-auth': { key: 'k1' } } },
    ]);
    const ctx = makeContext({ query: 'x=2', headers: { apikey: 'k1' } });
    await exchange(chain, ctx);
    ctx.bytesSent = 42;
    chain.runLog(ctx, 200, 1);
    await waitFor(() => lines(file).length === 1, 5000, 'the log line');
    expect(lines(file)).toEqual([{ status: 200, consumer: 'alice', query: 'x=2', bytes: 42 }]);
  });

  it('shares one stream per file and reopens it after rotation', async () => {
    const file = path.join(dir, 'rotate.log');
    const a = chainFor({ 'file-logger': { path: file, includeFields: ['path'] } });
    const b = chainFor({ 'file-logger': { path: file, includeFields: ['path'] } });
    for (let i = 0; i < 50; i++) a.runLog(makeContext({ path: `/a${i}` }), 200, 1);
    for (let i = 0; i < 50; i++) b.runLog(makeContext({ path: `/b${i}` }), 200, 1);
    await waitFor(() => lines(file).length === 100, 5000, '100 lines');
    // Whole lines, in the order written.
    expect(lines(file).map((l) => l.path)).toEqual([...Array.from({ length: 50 }, (_, i) => `/a${i}`), ...Array.from({ length: 50 }, (_, i) => `/b${i}`)]);

    fs.renameSync(file, `${file}.1`);
    reopenLogFiles();
    await waitFor(() => fs.existsSync(file), 5000, 'the reopened file');
    a.runLog(makeContext({ path: '/after' }), 200, 1);
    await waitFor(() => lines(file).length === 1, 5000, 'a line in the new file');
    expect(lines(file)).toEqual([{ path: '/after' }]);
    expect(lines(`${file}.1`)).toHaveLength(100);
  });

  it('rejects unknown fields in the config', () => {
    expect(() => chainFor({ 'file-logger': { includeFields: ['status', 'password'] } })).toThrow(/includeFields/);
  });

  it('an unwritable path loses lines but never throws into the request', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    const chain = chainFor({ 'file-logger': { path: path.join(blocker, 'x.log') } });
    for (let i = 0; i < 3; i++) expect(() => chain.runLog(makeContext(), 200, 1)).not.toThrow();
    // Once the open failed, further lines are counted as lost.
    await waitFor(
      () => {
        chain.runLog(makeContext(), 200, 1);
        return logFileSink(path.join(blocker, 'x.log')).lostLines > 0;
      },
      5000,
      'lost lines counted',
    );
  });
});
