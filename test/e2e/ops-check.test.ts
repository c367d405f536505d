// `gateway data-plane --check`: compiles what etcd holds with the workers' own compiler and
// exits 0 (everything compiles), 1 (a document is rejected) or 2 (etcd unreachable).
import { spawn } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/ports.js';
import { gatewayBin } from '../helpers/processes.js';

let etcd: TestEtcd;
let client: Etcd3;

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
});

afterAll(async () => {
  client?.close();
  await etcd?.stop();
});

function runCheck(flags: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [gatewayBin, 'data-plane', '--check', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const put = (key: string, value: unknown) => client.put(key).value(typeof value === 'string' ? value : JSON.stringify(value));

describe('gateway data-plane --check', () => {
  it('exits 0 and counts documents per kind when everything compiles', async () => {
    const prefix = etcd.prefix('check-ok');
    await put(`${prefix}/upstreams/u`, { id: 'u', nodes: [{ host: '127.0.0.1', port: 1 }] });
    await put(`${prefix}/routes/a`, { id: 'a', match: { paths: [{ type: 'prefix', value: '/a' }] }, backends: [{ upstreamId: 'u' }] });
    await put(`${prefix}/routes/b`, { id: 'b', match: { paths: [{ type: 'prefix', value: '/b' }] }, backends: [{ upstreamId: 'u' }] });
    const { code, out } = await runCheck(['--etcd', etcd.endpoint, '--prefix', prefix]);
    expect(out).toMatch(/routes\s+2 ok/);
    expect(out).toMatch(/upstreams\s+1 ok/);
    expect(out).toContain('every document compiles');
    expect(code).toBe(0);
  });

  it('exits 1 and names each rejected document with its reason', async () => {
    const prefix = etcd.prefix('check-bad');
    await put(`${prefix}/upstreams/u`, { id: 'u', nodes: [{ host: '127.0.0.1', port: 1 }] });
    await put(`${prefix}/routes/good`, { id: 'good', match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'u' }] });
    // Fails its schema, refers to a missing upstream, and is not JSON at all.
    await put(`${prefix}/routes/bad-schema`, { id: 'bad-schema', match: { paths: [{ type: 'nonsense', value: '/' }] }, backends: [{ upstreamId: 'u' }] });
    await put(`${prefix}/routes/dangling`, { id: 'dangling', match: { paths: [{ type: 'prefix', value: '/d' }] }, backends: [{ upstreamId: 'missing' }] });
    await put(`${prefix}/upstreams/garbage`, '{not json');
    const { code, out } = await runCheck(['--etcd', etcd.endpoint, '--prefix', prefix]);
    expect(out).toMatch(/routes\s+1 ok, 2 rejected/);
    expect(out).toMatch(/upstreams\s+1 ok, 1 rejected/);
    expect(out).toMatch(/routes\/dangling: upstream missing does not exist/);
    expect(out).toMatch(/routes\/bad-schema: .+/);
    expect(out).toMatch(/upstreams\/garbage: .+/);
    expect(out).toContain('3 document(s) rejected');
    expect(code).toBe(1);
  });

  it('exits 2 when etcd is unreachable', async () => {
    const port = await freePort();
    const { code, out } = await runCheck(['--etcd', `http://127.0.0.1:${port}`, '--prefix', '/nothing']);
    expect(out).toContain(`cannot read etcd at etcd http://127.0.0.1:${port}`);
    expect(out).not.toMatch(/\n\s+at /); // a message, not a stack
    expect(code).toBe(2);
  });
});
