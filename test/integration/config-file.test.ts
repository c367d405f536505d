// Flags, GATEWAY_* environment variables and the --config YAML file: precedence
// flag > env > file (command section, then top level) > default, and clear errors (exit 2).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAGS, envName, parseOptions } from '../../bin/lib/options.mjs';
import { gatewayBin } from '../helpers/processes.js';

type Options = Record<string, unknown> & { sources: Record<string, string> };
const parse = (argv: string[], env: Record<string, string> = {}, command = 'data-plane'): Options => parseOptions(argv, { command, env });

let dir: string;
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-config-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('option precedence', () => {
  it('takes the flag over the environment over the file over the default', () => {
    const config = file('all.yaml', 'http-port: 7001\nstatus-port: 7002\nadmin-port: 7003\nprefix: /from-file\n');
    const env = { GATEWAY_HTTP_PORT: '8001', GATEWAY_STATUS_PORT: '8002' };
    const o = parse(['--config', config, '--http-port', '9001'], env);
    expect(o['http-port']).toBe(9001);
    expect(o['status-port']).toBe(8002);
    expect(o['admin-port']).toBe(7003);
    expect(o.prefix).toBe('/from-file');
    expect(o['https-port']).toBe(9443);
    expect(o.sources).toMatchObject({ 'http-port': 'flag', 'status-port': 'env', 'admin-port': 'file', 'https-port': 'default' });
  });

  it('lets a command section of the file override its top level, for that command only', () => {
    const config = file('sections.yaml', 'workers: 2\ndata-plane:\n  workers: 6\n  drain-seconds: 45\ncontrol-plane:\n  admin-port: 9999\n');
    expect(parse(['--config', config]).workers).toBe(6);
    expect(parse(['--config', config])['drain-seconds']).toBe(45);
    expect(parse(['--config', config])['admin-port']).toBe(9180);
    expect(parse(['--config', config], {}, 'control-plane').workers).toBe(2);
    expect(parse(['--config', config], {}, 'control-plane')['admin-port']).toBe(9999);
  });

  it('finds the file through GATEWAY_CONFIG and reads booleans and lists from YAML and env', () => {
    const config = file('env-named.yaml', 'etcd: [http://127.0.0.1:1, http://127.0.0.1:2]\nwatch-ingress-without-class: true\n');
    const o = parse([], { GATEWAY_CONFIG: config, GATEWAY_NO_EXAMPLE: 'true' });
    expect(o.etcdEndpoints).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
    expect(o['watch-ingress-without-class']).toBe(true);
    expect(o['no-example']).toBe(true);
    expect(o.etcdExplicit).toBe(true);
  });

  it('has a GATEWAY_ variable for every flag', () => {
    for (const [name, [type]] of Object.entries(FLAGS as Record<string, [string]>)) {
      // help and version are command-line only; config names the file the others come from.
      if (name === 'help' || name === 'version' || name === 'config') continue;
      const value = type === 'boolean' ? 'true' : name.endsWith('port') || name === 'workers' || name === 'drain-seconds' ? '7' : 'x';
      const o = parse([], { [envName(name)]: value });
      expect(o.sources[name], name).toBe('env');
    }
  });

  it("gives the control plane its own status-port default, 9092, next to the data plane's 9091", () => {
    expect(parseOptions([], { command: 'control-plane', env: {} })['status-port']).toBe(9092);
    expect(parseOptions([], { command: 'data-plane', env: {} })['status-port']).toBe(9091);
    expect(parseOptions(['--status-port', '7000'], { command: 'control-plane', env: {} })['status-port']).toBe(7000);
    expect(parseOptions([], { command: 'control-plane', env: { GATEWAY_STATUS_PORT: '7001' } })['status-port']).toBe(7001);
  });

  it('accepts the older etcd flag names as aliases', () => {
    const o = parse(['--etcd-username', 'gw', '--etcd-ca', '/ca.pem']);
    expect(o['etcd-user']).toBe('gw');
    expect(o['etcd-cacert']).toBe('/ca.pem');
    expect(parse([], { GATEWAY_ETCD_USERNAME: 'env-user' })['etcd-user']).toBe('env-user');
  });
});

describe('bad settings', () => {
  it.each([
    ['an unknown key', 'http-prot: 9080\n', /unknown key "http-prot" in config file/],
    ['an unknown key in a section', 'data-plane:\n  colour: blue\n', /unknown key "colour" \(in section "data-plane"\)/],
    ['a bad port', 'http-port: ninety\n', /"http-port" in .* must be an integer between 0 and 65535, got "ninety"/],
    ['a bad boolean', 'no-example: maybe\n', /"no-example" in .* must be true or false/],
    ['a mapping where a value belongs', 'prefix:\n  a: 1\n', /"prefix" in .* must be a string/],
    ['YAML that does not parse', 'http-port: [1,\n', /is not valid YAML/],
  ])('refuses %s', (_what, text, message) => {
    const config = file('bad.yaml', text);
    expect(() => parse(['--config', config])).toThrow(message);
  });

  it('refuses a bad environment value, naming the variable', () => {
    expect(() => parse([], { GATEWAY_WORKERS: '-1' })).toThrow(/GATEWAY_WORKERS must be an integer/);
  });

  it('exits 2 with the reason, before starting anything', async () => {
    const config = file('cli-bad.yaml', 'http-port: 9080\nbogus-flag: 1\n');
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [gatewayBin, 'data-plane', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('exit', (c) => resolve({ code: c, out: text }));
    });
    expect(out).toContain(`gateway data-plane: unknown key "bogus-flag" in config file ${config}`);
    expect(code).toBe(2);
  });
});
