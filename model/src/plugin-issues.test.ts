import { describe, expect, it } from 'vitest';
import { kindByCollection, validateDocument } from './kinds.js';
import { pluginIssues } from './plugin-issues.js';
import { pluginSpecs, registerPluginSpec } from './plugins/index.js';
import { validateSchema } from './validate.js';
import { Type } from '@sinclair/typebox';

const route = (plugins: Record<string, unknown>) => ({ id: 'r1', plugins });

describe('pluginIssues', () => {
  it('accepts every spec example on every kind it attaches to', () => {
    for (const spec of pluginSpecs) {
      expect(validateSchema(spec.schema, spec.example), spec.name).toEqual([]);
      expect(spec.check?.(spec.example as never) ?? [], spec.name).toEqual([]);
    }
  });

  it('names an unknown plugin', () => {
    expect(pluginIssues(route({ 'no-such': {} }), 'route')).toEqual([{ path: '/plugins/no-such', message: 'is not a known plugin' }]);
  });

  it('names the bad field under /plugins/<name>/', () => {
    const issues = pluginIssues(route({ 'limit-count': { count: 0, timeWindow: 60 } }), 'route');
    expect(issues.map((i) => i.path)).toEqual(['/plugins/limit-count/count']);
    const missing = pluginIssues(route({ 'limit-count': { timeWindow: 60 } }), 'route');
    expect(missing).toEqual([{ path: '/plugins/limit-count/count', message: 'is required' }]);
    const extra = pluginIssues(route({ cors: { allowOrigin: '*' } }), 'route');
    expect(extra).toEqual([{ path: '/plugins/cors/allowOrigin', message: 'is not a known field' }]);
  });

  it('runs the spec cross-field checks', () => {
    expect(pluginIssues(route({ cors: { allowCredential: true } }), 'route')[0].path).toBe('/plugins/cors/allowOrigins');
    expect(pluginIssues(route({ 'ip-restriction': { whitelist: ['10.0.0.0/33'] } }), 'route')[0].path).toBe('/plugins/ip-restriction/whitelist/0');
    expect(pluginIssues(route({ 'ip-restriction': { whitelist: ['fd00::/8', '::ffff:1.2.3.4', '1.2.3.4'] } }), 'route')).toEqual([]);
    expect(pluginIssues(route({ 'ip-restriction': { whitelist: ['fd00::g'] } }), 'route')).toHaveLength(1);
    expect(pluginIssues(route({ redirect: { uri: '/a', httpToHttps: true } }), 'route')[0].path).toBe('/plugins/redirect');
    expect(pluginIssues(route({ 'proxy-rewrite': { regexUri: ['(', '/x'] } }), 'route')[0].path).toBe('/plugins/proxy-rewrite/regexUri/0');
  });

  it('uses the consumer schema on consumers and refuses plugins not made for the kind', () => {
    const consumer = { id: 'jack', username: 'jack', plugins: { 'key-auth': { key: 'k1' }, 'basic-auth': { username: 'jack', password: 'pw' } } };
    expect(validateDocument(kindByCollection('consumers')!, consumer)).toEqual([]);
    const bad = { id: 'jack', username: 'jack', plugins: { 'key-auth': { header: 'x' }, cors: {} } };
    expect(
      validateDocument(kindByCollection('consumers')!, bad)
        .map((i) => i.path)
        .sort(),
    ).toEqual(['/plugins/cors', '/plugins/key-auth/header', '/plugins/key-auth/key']);
    expect(validateDocument(kindByCollection('stream-routes')!, { id: 's', protocol: 'tcp', listenPort: 9100, plugins: { cors: {} } })[0].path).toBe(
      '/plugins/cors',
    );
  });

  it('validates plugin configs and global rules the same way', () => {
    for (const collection of ['plugin-configs', 'global-rules', 'routes']) {
      const issues = validateDocument(kindByCollection(collection)!, { id: 'x', plugins: { 'limit-count': { count: 'ten', timeWindow: 1 } } });
      expect(
        issues.map((i) => i.path),
        collection,
      ).toEqual(['/plugins/limit-count/count']);
    }
  });

  it('knows custom specs once registered, but never replaces a built-in', () => {
    expect(pluginIssues(route({ 'my-custom': {} }), 'route')).toHaveLength(1);
    registerPluginSpec({
      name: 'my-custom',
      priority: 1,
      version: '1',
      description: '',
      attachTo: ['route'],
      schema: Type.Object({ a: Type.Optional(Type.String()) }),
      example: {},
    });
    expect(pluginIssues(route({ 'my-custom': {} }), 'route')).toEqual([]);
    expect(pluginIssues(route({ 'my-custom': { a: 1 } }), 'route')[0].path).toBe('/plugins/my-custom/a');
    expect(() => registerPluginSpec({ ...pluginSpecs[0] })).toThrow(/built in/);
  });
});
