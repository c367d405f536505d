import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kindByCollection, validateDocument } from '@sluice/model';
import { compilePluginChain } from './compile-plugins.js';
import { loadCustomPlugins } from './load-custom-plugins.js';
import { createPluginRegistry } from './registry.js';
import { exchange, makeContext } from './plugin-test-kit.js';

// Real files on disk and real dynamic imports: loading them is the point of this test.
const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/plugins');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-plugins-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function collectingLog() {
  const errors: Array<Record<string, unknown>> = [];
  return { errors, log: { error: (o: object) => errors.push(o as Record<string, unknown>), warn() {} } };
}

describe('loadCustomPlugins', () => {
  it('loads the example plugin, which then validates and runs like a built-in', async () => {
    const { errors, log } = collectingLog();
    const plugins = await loadCustomPlugins(examples, log);
    expect(errors).toEqual([]);
    expect(plugins.map((p) => p.spec.name)).toEqual(['add-header']);
    const registry = createPluginRegistry(plugins, log);
    const routes = kindByCollection('routes')!;
    expect(validateDocument(routes, { id: 'r', plugins: { 'add-header': { value: 'yes' } } })).toEqual([]);
    expect(validateDocument(routes, { id: 'r', plugins: { 'add-header': { value: 1 } } })[0].path).toBe('/plugins/add-header/value');
    const chain = compilePluginChain({ 'add-header': { name: 'X-Hello', value: 'yes' } }, undefined, [], registry, { routeId: 'r' })!;
    const res = await exchange(chain, makeContext());
    expect(res.headers['x-hello']).toBe('yes');
    expect(res.ctx.upstreamHeaderOps).toEqual([expect.objectContaining({ op: 'set', name: 'X-Hello', value: 'yes' })]);
  });

  it('logs and skips broken files, keeps the good ones', async () => {
    fs.writeFileSync(path.join(tmp, 'a-syntax.mjs'), 'export const spec = {');
    fs.writeFileSync(path.join(tmp, 'b-no-spec.mjs'), 'export function rewrite() {}');
    fs.writeFileSync(path.join(tmp, 'c-no-phase.mjs'), "export const spec = { name: 'c-no-phase', priority: 1, schema: {} };");
    fs.writeFileSync(
      path.join(tmp, 'd-bad-schema.mjs'),
      "export const spec = { name: 'd-bad', priority: 1, schema: { type: 'nope' } }; export function log() {}",
    );
    fs.writeFileSync(path.join(tmp, 'e-throws.mjs'), "throw new Error('at import');");
    fs.writeFileSync(path.join(tmp, 'f-good.mjs'), "export default { spec: { name: 'f-good', priority: 1, schema: {} }, access() {} };");
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'not a plugin');
    const { errors, log } = collectingLog();
    const plugins = await loadCustomPlugins(tmp, log);
    expect(plugins.map((p) => p.spec.name)).toEqual(['f-good']);
    expect(errors.map((e) => path.basename(String(e.file)))).toEqual(['a-syntax.mjs', 'b-no-spec.mjs', 'c-no-phase.mjs', 'd-bad-schema.mjs', 'e-throws.mjs']);
  });

  it('reports a missing directory and a plugin that shadows a built-in, without throwing', async () => {
    const { errors, log } = collectingLog();
    expect(await loadCustomPlugins(path.join(tmp, 'missing'), log)).toEqual([]);
    const fake = {
      spec: { name: 'cors', priority: 1, version: '1', description: '', attachTo: ['route' as const], schema: {} as never, example: {} },
      rewrite() {},
    };
    const registry = createPluginRegistry([fake], log);
    expect(registry.get('cors')).not.toBe(fake);
    expect(errors).toHaveLength(2);
  });
});
