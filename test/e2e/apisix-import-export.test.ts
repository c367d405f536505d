// `gateway import --from apisix FILE [--dry-run]` and `gateway export --to apisix`, run as a user
// runs them against a control plane: an APISIX standalone file using every field Sluice supports
// (in the form export writes) goes in and comes back out the same; a dry run writes nothing; a
// file with something Sluice cannot honour is refused whole, each refusal naming its field.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { gatewayBin, startGateway, type GatewayProcess } from '../helpers/processes.js';
import { makeCerts, type TestCerts } from './stream-fixtures.js';

let etcd: TestEtcd;
let cp: GatewayProcess;
let dir: string;
let certs: TestCerts;

function gateway(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [gatewayBin, ...args, '--admin-url', `http://127.0.0.1:${cp.ports.admin}`, '--admin-key', 'test-key'],
      { encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A collection as the admin API lists it. */
async function documents(collection: string): Promise<{ total: number; items: { id: string }[] }> {
  return (await fetch(`http://127.0.0.1:${cp.ports.admin}/api/v1/${collection}`, { headers: { 'x-api-key': 'test-key' } })).json() as never;
}

/** Every supported field, written as export writes it (hosts as a list, hash_on spelled out, nodes as a map unless a node has a priority). */
function standalone(): Record<string, unknown> {
  const pem = certs.leaf('shop.example');
  return {
    routes: [
      {
        id: 'shop',
        name: 'shop',
        desc: 'the shop',
        labels: { team: 'web' },
        uris: ['/shop', '/shop/*', '/api/v:version/items', '/static*'],
        hosts: ['shop.example', '*.shop.example'],
        methods: ['GET', 'POST'],
        remote_addrs: ['10.0.0.0/8', '127.0.0.1'],
        vars: [
          ['http_x_api_version', '==', 'v2'],
          ['arg_debug', '~~', '^on$'],
        ],
        priority: 5,
        plugins: {
          'limit-count': { count: 100, time_window: 60, rejected_code: 503, key: 'remote_addr' },
          'proxy-rewrite': { regex_uri: ['^/shop/(.*)', '/$1'], headers: { set: { 'X-Api-Version': 'v2' } } },
          cors: { allow_origins: 'https://shop.example', max_age: 600 },
        },
        upstream_id: 'shop',
        plugin_config_id: 'common',
        timeout: { connect: 3, send: 10, read: 30 },
        enable_websocket: false,
        status: 1,
      },
      { id: 'svc', uri: '/svc/*', service_id: 'api' },
      {
        id: 'inline',
        uri: '/inline',
        upstream: {
          nodes: { '127.0.0.1:8081': 1, '[::1]:8082': 2 },
          type: 'chash',
          hash_on: 'header',
          key: 'x-user',
          scheme: 'https',
          pass_host: 'rewrite',
          upstream_host: 'backend.internal',
        },
        plugins: {
          'traffic-split': {
            rules: [{ match: [{ vars: [['http_release', '==', 'new']] }], weighted_upstreams: [{ upstream_id: 'shop', weight: 3 }, { weight: 1 }] }],
          },
        },
        status: 0,
      },
      { id: 'regex', uri: '/*', vars: [['uri', '~~', '^/v[0-9]+/items$']], upstream_id: 'shop' },
    ],
    services: [{ id: 'api', name: 'api', hosts: ['api.example'], upstream_id: 'backup', plugins: { 'key-auth': {} }, enable_websocket: true }],
    upstreams: [
      {
        id: 'shop',
        name: 'shop pods',
        nodes: { '10.0.0.1:8080': 10, '10.0.0.2:8080': 5 },
        type: 'chash',
        hash_on: 'vars',
        key: 'remote_addr',
        retries: 2,
        retry_timeout: 5,
        timeout: { connect: 2, send: 5, read: 20 },
        keepalive_pool: { size: 64, idle_timeout: 30, requests: 500 },
        checks: {
          active: {
            type: 'http',
            http_path: '/healthz',
            timeout: 2,
            healthy: { interval: 2, successes: 2, http_statuses: [200] },
            unhealthy: { interval: 1, http_failures: 3, tcp_failures: 2, timeouts: 3 },
          },
          passive: { unhealthy: { http_statuses: [502, 503], http_failures: 3 } },
        },
      },
      {
        id: 'backup',
        nodes: [
          { host: '10.0.1.1', port: 80, weight: 1 },
          { host: '10.0.1.2', port: 80, weight: 1, priority: -1 },
        ],
        type: 'least_conn',
        tls: { verify: false },
      },
    ],
    consumers: [{ username: 'jack', desc: 'a customer', labels: { tier: 'gold' }, plugins: { 'key-auth': { key: 'auth-one' } } }],
    ssls: [{ id: 'shop', snis: ['shop.example'], cert: pem.cert, key: pem.key, status: 1 }],
    stream_routes: [{ id: 'mysql', server_port: 9101, remote_addr: '127.0.0.1', upstream: { nodes: { '127.0.0.1:3306': 1 }, type: 'roundrobin' } }],
    global_rules: [{ id: 'ids', plugins: { 'request-id': { header_name: 'X-Request-Id', include_in_response: true } } }],
    plugin_configs: [{ id: 'common', desc: 'shared', plugins: { 'ip-restriction': { blacklist: ['192.0.2.0/24'] } } }],
  };
}

beforeAll(async () => {
  etcd = await startEtcd();
  certs = makeCerts(['shop.example']);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-apisix-file-'));
  cp = await startGateway('control-plane', { etcd: etcd.endpoint, prefix: etcd.prefix('apisix-file') });
});

afterAll(async () => {
  await cp?.stop();
  certs?.cleanup();
  await etcd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('gateway import --from apisix / export --to apisix', () => {
  it('a dry run prints what each object becomes and writes nothing', async () => {
    const file = path.join(dir, 'apisix.yaml');
    fs.writeFileSync(file, `${YAML.stringify(standalone())}#END\n`);
    const dry = await gateway('import', '--from', 'apisix', file, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('routes/shop → routes/shop');
    expect(dry.stdout).toContain('consumers/jack → consumers/jack');
    expect(dry.stdout).toMatch(/12 created, 0 updated, 0 unchanged: they would be written \(dry run: nothing written\)/);
    expect((await documents('routes')).total).toBe(0);
  });

  it('round trip: apisix.yaml → import → export --to apisix keeps every supported field (the JSON form too)', async () => {
    const file = path.join(dir, 'apisix.json');
    fs.writeFileSync(file, JSON.stringify(standalone()));
    const imported = await gateway('import', '--from', 'apisix', file);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/12 created, 0 updated, 0 unchanged: they were written at revision \d+/);
    const exported = await gateway('export', '--to', 'apisix');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trimEnd().endsWith('#END')).toBe(true);
    const back = YAML.parse(exported.stdout);
    const sorted = (o: Record<string, { id?: string; username?: string }[]>) =>
      Object.fromEntries(
        Object.entries(o).map(([k, list]) => [k, [...list].sort((a, b) => String(a.id ?? a.username).localeCompare(String(b.id ?? b.username)))]),
      );
    expect(sorted(back)).toEqual(sorted(standalone() as never));
    expect(exported.stderr).toBe('');

    // Importing the exported file again changes nothing.
    fs.writeFileSync(path.join(dir, 'again.yaml'), exported.stdout);
    expect((await gateway('import', '--from', 'apisix', path.join(dir, 'again.yaml'))).stdout).toMatch(/0 created, 0 updated, 12 unchanged/);
  });

  it('refuses a file with what Sluice cannot honour, naming each field, and writes nothing', async () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      YAML.stringify({
        routes: [
          { id: 'ok', uri: '/ok', upstream_id: 'shop' },
          { id: 'lua', uri: '/lua', script: 'return 1', upstream_id: 'shop' },
          { uri: '/no-id', upstream_id: 'shop' },
        ],
        upstreams: [{ id: 'eureka', service_name: 'a-bootiful-client', discovery_type: 'eureka', type: 'roundrobin' }],
        plugin_metadata: [{ id: 'http-logger', log_format: {} }],
      }) + '#END\n',
    );
    const result = await gateway('import', '--from', 'apisix', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('routes/ok → routes/ok');
    expect(result.stdout).toMatch(/routes\/lua: refused: script: is not supported: Lua code is not run by Sluice/);
    expect(result.stdout).toMatch(/routes\/#2: refused: id: is required/);
    expect(result.stdout).toMatch(/upstreams\/eureka: refused: service_name: is not supported: Service discovery registries/);
    expect(result.stdout).toMatch(/plugin_metadata: refused: plugin_metadata: plugin metadata is not supported/);
    expect(result.stderr).toMatch(/4 object\(s\) refused; nothing was imported/);
    expect((await gateway('import', '--from', 'nginx', file)).code).toBe(2);
    // The earlier import is still all there is.
    expect((await documents('routes')).items.map((r: { id: string }) => r.id).sort()).toEqual(['inline', 'regex', 'shop', 'svc']);
    expect((await documents('upstreams')).total).toBe(2);
  });
});
