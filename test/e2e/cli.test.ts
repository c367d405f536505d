// The `gateway` CLI as kubectl users expect it, against a real control plane and etcd: --version,
// per-command --help, get with table/wide/json/yaml/name output, apply -f in the export format
// with --dry-run and created/configured/unchanged per document, what `get -o yaml|json` prints
// applied back unchanged, diff -f, delete, errors that name their cause, exit status 2 for usage
// mistakes and 1 for failures, and the bash completion script.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/ports.js';
import { gatewayBin, startGateway, type GatewayProcess } from '../helpers/processes.js';

let etcd: TestEtcd;
let cp: GatewayProcess;
let dir: string;
const KEY = 'test-key';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function gateway(args: string[], { input, env = {} }: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [gatewayBin, ...args],
      { env: { ...process.env, GATEWAY_ADMIN_KEY: '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}
/** A command against the control plane under test. */
const client = (...args: string[]) => gateway([...args, '--admin-port', String(cp.ports.admin), '--admin-key', KEY]);
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

const EXPORTED = `collection: upstreams
id: web
document:
  id: web
  nodes:
    - {host: 127.0.0.1, port: 8080, weight: 1}
---
collection: routes
id: web
document:
  id: web
  name: web-route
  labels: {team: a}
  match:
    hosts: [example.test]
    paths: [{type: prefix, value: /web}]
    methods: [GET]
  backends: [{upstreamId: web}]
`;

beforeAll(async () => {
  etcd = await startEtcd();
  cp = await startGateway('control-plane', { etcd: etcd.endpoint, prefix: etcd.prefix('cli'), 'admin-key': KEY });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-'));
});

afterAll(async () => {
  await cp?.stop();
  await etcd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('gateway CLI', () => {
  it("prints its version and each command's own flags", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(gatewayBin), '../package.json'), 'utf8'));
    const v = await gateway(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(version);

    const get = await gateway(['get', '--help']);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^Usage: gateway get <type> \[id\]/);
    expect(get.stdout).toContain('--output');
    expect(get.stdout).not.toContain('--http-port');
    expect(get.stdout).not.toContain('--workers');

    const dp = await gateway(['data-plane', '--help']);
    expect(dp.stdout).toContain('--workers');
    expect(dp.stdout).toContain('GATEWAY_FRONT=node');
    expect(dp.stdout).not.toContain('--admin-key');
    expect(dp.stdout).toMatch(/--status-port VALUE .*\(default 9091\)/);
    expect((await gateway(['control-plane', '--help'])).stdout).toMatch(/--status-port VALUE .*\(default 9092\)/);

    const main = await gateway(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['up', 'control-plane', 'data-plane', 'get', 'apply', 'diff', 'delete', 'completion']) expect(main.stdout).toContain(`  ${command} `);
    expect(main.stdout).not.toContain('--http-port');
  });

  it('exits 2 on usage mistakes, saying what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['nope'], /unknown command "nope"/],
      [['get', 'routes', '--bogus'], /unknown flag --bogus/],
      [['get'], /which type\?/],
      [['get', 'gizmos'], /unknown document type "gizmos"; types: routes,/],
      [['get', 'routes', '-o', 'xml'], /-o must be one of table, wide, json, yaml, name/],
      [['apply'], /give -f FILE/],
      [['apply', '-f', '/nonexistent/file.yaml'], /cannot read -f \/nonexistent\/file\.yaml: ENOENT/],
      [['delete', 'routes'], /give a type and one id/],
      [['data-plane', '--http-port', 'eighty'], /--http-port must be an integer/],
      [['control-plane', '--manifests', '/tmp', '--kubernetes'], /two sources/],
      [['completion', 'fish'], /which shell\?/],
    ];
    for (const [args, message] of cases) {
      const r = await gateway(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('names the URL and the cause when the admin API cannot be reached or refuses the key', async () => {
    const port = await freePort();
    const down = await gateway(['get', 'routes', '--admin-url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`http://127.0.0.1:${port}`);
    expect(down.stderr).toMatch(/connection refused/);
    expect(down.stderr).not.toMatch(/fetch failed/);

    const wrongKey = await gateway(['get', 'routes', '--admin-port', String(cp.ports.admin), '--admin-key', 'wrong']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/401 GW_ERR_UNAUTHORIZED.*the key from --admin-key was refused/);
  });

  it('applies the export format in one import: created, then unchanged, then configured; --dry-run writes nothing', async () => {
    const f = file('web.yaml', EXPORTED);
    const dry = await client('apply', '-f', f, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n').sort()).toEqual(['routes/web created (dry run)', 'upstreams/web created (dry run)']);
    expect((await client('get', 'routes', '-o', 'name')).stdout).toBe('');

    const first = await client('apply', '-f', f);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(['routes/web created', 'upstreams/web created']);
    const again = await client('apply', '-f', f);
    expect(again.stdout.trim().split('\n').sort()).toEqual(['routes/web unchanged', 'upstreams/web unchanged']);

    const changed = file('web-changed.yaml', EXPORTED.replace('value: /web', 'value: /shop'));
    const dryChange = await client('apply', '-f', changed, '--dry-run');
    expect(dryChange.stdout).toContain('routes/web configured (dry run)');
    expect((await client('get', 'routes', 'web', '-o', 'json')).stdout).toContain('"/web"');
    const change = await gateway(['apply', '-f', '-', '--admin-port', String(cp.ports.admin)], {
      input: fs.readFileSync(changed, 'utf8'),
      env: { GATEWAY_ADMIN_KEY: KEY },
    });
    expect(change.stdout.trim().split('\n').sort()).toEqual(['routes/web configured', 'upstreams/web unchanged']);
    expect((await client('get', 'routes', 'web', '-o', 'json')).stdout).toContain('"/shop"');
  });

  it('refuses a file with a bad document whole, naming the document and field', async () => {
    const bad = file('bad.yaml', `${EXPORTED}---\ncollection: routes\nid: broken\ndocument: {id: broken, match: {paths: [{type: fuzzy, value: /}]}}\n`);
    const r = await client('apply', '-f', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: routes\/broken \/match\/paths\/0\/type: /);
    expect(r.stderr).toContain('nothing was written');
    expect((await client('get', 'routes', '-o', 'name')).stdout.trim().split('\n')).toEqual(['routes/web']);
  });

  it('gets documents as a table, wide, name, json and yaml', async () => {
    const table = await client('get', 'routes');
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['ID', 'NAME', 'HOSTS', 'PATHS', 'BACKENDS', 'OWNER', 'AGE']);
    expect(row.split(/\s+/).slice(0, 6)).toEqual(['web', 'web-route', 'example.test', '/shop*', 'web', 'admin']);

    const wide = await client('get', 'route', '-o', 'wide');
    expect(wide.stdout.split('\n')[0].split(/\s+/)).toEqual([
      'ID',
      'NAME',
      'HOSTS',
      'PATHS',
      'BACKENDS',
      'METHODS',
      'PRIORITY',
      'PLUGINS',
      'STATUS',
      'OWNER',
      'LABELS',
      'AGE',
    ]);
    expect(wide.stdout).toContain('team=a');

    expect((await client('get', 'upstreams')).stdout).toMatch(/^web\s+-\s+roundrobin\s+127\.0\.0\.1:8080\s+admin\s+(\d+[smhd]|-)$/m);
    expect((await client('get', 'upstreams', '-o', 'name')).stdout).toBe('upstreams/web\n');

    const one = JSON.parse((await client('get', 'routes', 'web', '-o', 'json')).stdout);
    expect(one).toMatchObject({ collection: 'routes', id: 'web', document: { id: 'web', name: 'web-route' } });
    const all = JSON.parse((await client('get', 'routes', '-o', 'json')).stdout);
    expect(all.items.map((i: { id: string }) => i.id)).toEqual(['web']);

    const empty = await client('get', 'ssls');
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('No ssls found.');
  });

  it('takes back what get -o yaml and -o json print, unchanged', async () => {
    const one = file('one.yaml', (await client('get', 'routes', 'web', '-o', 'yaml')).stdout);
    expect((await client('apply', '-f', one)).stdout).toBe('routes/web unchanged\n');
    const list = file('list.yaml', (await client('get', 'upstreams', '-o', 'yaml')).stdout);
    expect((await client('apply', '-f', list)).stdout).toBe('upstreams/web unchanged\n');
    const json = file('list.json', (await client('get', 'routes', '-o', 'json')).stdout);
    expect((await client('apply', '-f', json)).stdout).toBe('routes/web unchanged\n');
  });

  it('diffs a file against the live documents: 0 when equal, 1 with a unified diff when not', async () => {
    const live = file('live.yaml', (await client('get', 'routes', 'web', '-o', 'yaml')).stdout);
    const same = await client('diff', '-f', live);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('');
    const edited = file(
      'edited.yaml',
      fs.readFileSync(live, 'utf8').replace('/shop', '/store') +
        `---\ncollection: upstreams\nid: extra\ndocument: {id: extra, nodes: [{host: 127.0.0.1, port: 9000, weight: 1}]}\n`,
    );
    const diff = await client('diff', '-f', edited);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('--- live/routes/web');
    expect(diff.stdout).toMatch(/^- +value: \/shop$/m);
    expect(diff.stdout).toMatch(/^\+ +value: \/store$/m);
    expect(diff.stdout).toContain('--- /dev/null');
    expect(diff.stdout).toContain('+++ file/upstreams/extra');
    expect((await client('get', 'routes', 'web', '-o', 'json')).stdout).toContain('"/shop"');
  });

  it('deletes, and says what is missing afterwards', async () => {
    const del = await client('delete', 'routes', 'web');
    expect(del.code).toBe(0);
    expect(del.stdout).toBe('routes/web deleted\n');
    const gone = await client('get', 'routes', 'web');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/404 GW_ERR_NOT_FOUND/);
  });

  it('completes commands, types, flags and -o values in bash', async () => {
    const script = file('completion.bash', (await gateway(['completion', 'bash'])).stdout);
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          'bash',
          ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _gateway; echo "\${COMPREPLY[*]}"`],
          (err, out) => (err ? reject(err) : resolve(out.trim())),
        ),
      );
    expect(await complete(['gateway', 'ap'])).toBe('apply');
    expect(await complete(['gateway', 'get', 'st'])).toBe('stream-routes');
    expect((await complete(['gateway', 'get', 'routes', '--out'])).split(' ')).toEqual(['--output']);
    expect(await complete(['gateway', 'get', 'routes', '-o', 'y'])).toBe('yaml');
    expect((await complete(['gateway', 'data-plane', '--wo'])).split(' ')).toEqual(['--workers']);
    const zsh = (await gateway(['completion', 'zsh'])).stdout;
    expect(zsh).toMatch(/^#compdef gateway/);
    expect(zsh).toContain("'get:print documents through the admin API'");
  });
});
