// A worker loads a plugin's own libraries only when a document uses the plugin (issue 14: idle
// worker memory). A child process records every module the built data plane resolves (Node's
// module hooks see import and require alike), compiles a config without plugins, then one
// with each plugin that has a large library.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Packages that only some plugins need, by the plugin that needs them. */
const LIBRARIES: Record<string, string[]> = {
  'jwt-auth': ['jose'],
  'forward-auth': ['undici'],
  'http-logger': ['undici'],
  'limit-count': ['ioredis'],
  // (Not @opentelemetry/api: prom-client loads it anyway.)
  opentelemetry: ['@opentelemetry/semantic-conventions', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http'],
};

/** One worker per process (its metrics are process-wide): compiles the documents in $DOCS, prints what was resolved. */
const CHILD = `
import { registerHooks } from 'node:module';
const resolved = new Set();
registerHooks({ resolve(specifier, context, next) { resolved.add(specifier); return next(specifier, context); } });
const { createWorker, createStaticSource, createLogger } = await import('@sluice/data-plane');
const worker = createWorker({ source: createStaticSource(JSON.parse(process.env.DOCS)), httpPort: 0, host: '127.0.0.1', logger: createLogger('lazy-test') });
await worker.load();
const { routes, rejected } = worker.state;
console.log(JSON.stringify({ routes, rejected, resolved: [...resolved] }));
process.exit(0);
`;

const PACKAGES = [...new Set(Object.values(LIBRARIES).flat())].sort();
const upstream = { collection: 'upstreams', doc: { id: 'u', nodes: [{ host: '127.0.0.1', port: 9, weight: 1 }] } };
const route = (id: string, plugins?: object) => ({
  collection: 'routes',
  doc: { id, match: { paths: [{ type: 'prefix', value: `/${id}` }] }, backends: [{ upstreamId: 'u' }], plugins },
});

/** Starts a worker on `docs` in a fresh process: its served route count, rejections, and which of PACKAGES it loaded. */
async function workerOn(docs: object[]): Promise<{ routes: number; rejected: Record<string, string>; loaded: string[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    timeout: 30_000,
    env: { ...process.env, DOCS: JSON.stringify(docs) },
  });
  const { routes, rejected, resolved } = JSON.parse(stdout.trim().split('\n').pop()!);
  return { routes, rejected, loaded: PACKAGES.filter((p) => resolved.includes(p)) };
}

it('loads jose, undici, ioredis and OpenTelemetry only once a document uses the plugin that needs them', async () => {
  const idle = await workerOn([upstream, route('plain'), route('cors', { cors: {} }), route('key', { 'key-auth': {} })]);
  expect(idle).toEqual({ routes: 3, rejected: {}, loaded: [] });

  const used = await workerOn([
    upstream,
    route('jwt', { 'jwt-auth': {} }),
    route('fwd', { 'forward-auth': { uri: 'http://127.0.0.1:9/auth' } }),
    route('log', { 'http-logger': { uri: 'http://127.0.0.1:9/logs' } }),
    route('redis', { 'limit-count': { count: 10, timeWindow: 1, policy: 'redis', redisHost: '127.0.0.1', redisPort: 9 } }),
    route('otel', { opentelemetry: { sampler: { name: 'always_on' } } }),
  ]);
  expect(used).toEqual({ routes: 5, rejected: {}, loaded: PACKAGES });
});
