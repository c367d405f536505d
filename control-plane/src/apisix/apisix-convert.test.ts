// APISIX documents ↔ Sluice documents, field by field: what maps, what is refused (named by the
// APISIX field), and that what was converted converts back to the same APISIX document.
import { describe, expect, it } from 'vitest';
import { apisixResource, fromApisix, toApisix } from './apisix-resources.js';
import { pathToUri, uriToPath } from './apisix-uri.js';

const route = apisixResource('routes')!;
const back = (resource: ReturnType<typeof apisixResource>, id: string, body: Record<string, unknown>) => {
  const { doc, issues } = fromApisix(resource!, id, body);
  expect(issues).toEqual([]);
  return toApisix(resource!, doc!);
};

describe('uri', () => {
  it.each([
    ['/index.html', { type: 'exact', value: '/index.html' }],
    ['/*', { type: 'prefix', value: '/' }],
    ['/api/*', { type: 'prefix', value: '/api' }],
    ['/api*', { type: 'regex', value: '/api.*' }],
    ['/user/:id/profile', { type: 'regex', value: '/user/(?<id>[^/]+)/profile' }],
    ['/a.b/*/c', { type: 'regex', value: '/a\\.b/.*/c' }],
  ])('%s ↔ %j', (uri, path) => {
    expect(uriToPath(uri)).toEqual(path);
    expect(pathToUri(path as never)).toBe(uri);
  });

  it('has no form for a regex it did not make', () => {
    expect(pathToUri({ type: 'regex', value: '(?:/gateway(/|$)(.*)).*' })).toBeUndefined();
  });
});

describe('routes', () => {
  // docs/en/latest/admin-api.md, "Route" → "Example API usage" (create a route).
  const documented = {
    uri: '/index.html',
    hosts: ['foo.com', '*.bar.com'],
    remote_addrs: ['127.0.0.0/8'],
    methods: ['PUT', 'GET'],
    enable_websocket: true,
    upstream: { type: 'roundrobin', nodes: { '127.0.0.1:1980': 1 } },
  };

  it('takes the documented route and gives it back', () => {
    const { doc } = fromApisix(route, '1', documented);
    expect(doc).toMatchObject({
      id: '1',
      match: { hosts: ['foo.com', '*.bar.com'], paths: [{ type: 'exact', value: '/index.html' }], methods: ['PUT', 'GET'] },
      websocket: true,
      upstream: { type: 'roundrobin', nodes: [{ host: '127.0.0.1', port: 1980, weight: 1 }] },
      plugins: { 'ip-restriction': { whitelist: ['127.0.0.0/8'], rejectedCode: 404 } },
    });
    expect(toApisix(route, doc!)).toEqual({ id: '1', ...documented });
  });

  it('maps vars onto header and query conditions and back', () => {
    const body = {
      uri: '/*',
      vars: [
        ['http_x_api_version', '==', 'v2'],
        ['arg_debug', '~~', '^on$'],
        ['uri', '~~', '^/v[0-9]+/items$'],
      ],
      priority: 10,
      upstream_id: 'u1',
    };
    const { doc } = fromApisix(route, 'r', body);
    expect(doc!.match).toEqual({
      paths: [{ type: 'regex', value: '/v[0-9]+/items' }],
      headers: [{ name: 'x-api-version', type: 'exact', value: 'v2' }],
      query: [{ name: 'debug', type: 'regex', value: '.*(?:^on$).*' }],
    });
    expect(back(route, 'r', body)).toEqual({ id: 'r', ...body, vars: [body.vars[0], body.vars[1], body.vars[2]] });
  });

  it('refuses what it cannot honour, naming the APISIX field', () => {
    const { issues } = fromApisix(route, 'x', {
      uri: '/a',
      filter_func: 'function(vars) return true end',
      vars: [
        ['http_x', '>', '1'],
        ['server_port', '==', '80'],
      ],
      upstream: { nodes: { 'a:1': 1 }, type: 'chash', hash_on: 'vars_combinations', key: '$host$uri', service_name: 'x' },
      plugins: { 'limit-count': { count: 1, time_window: 60, unknown_knob: 1 }, zipkin: {} },
    });
    expect(issues.map((i) => i.field).sort()).toEqual([
      'filter_func',
      'plugins.limit-count.unknown_knob',
      'plugins.zipkin',
      'upstream.hash_on',
      'upstream.service_name',
      'vars[0]',
      'vars[1]',
    ]);
    expect(issues.find((i) => i.field === 'plugins.zipkin')!.message).toMatch(/use opentelemetry/);
  });

  it('names a field the model refuses in APISIX terms', () => {
    const { issues } = fromApisix(route, 'x', { uri: '/a', plugins: { 'limit-count': { count: 'many', time_window: 60 } } });
    expect(issues).toEqual([{ field: 'plugins.limit-count.count', message: expect.any(String) }]);
  });
});
