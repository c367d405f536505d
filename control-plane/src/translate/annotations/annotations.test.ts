import { describe, expect, it } from 'vitest';
import type { RouteDraft } from '../route-draft.js';
import type { Resources } from '../types.js';
import { annotations, annotationByKey, NGINX } from './index.js';

// One good and one bad value per declared annotation: every declaration is exercised here,
// and the golden cases show each one applied to a whole Ingress.
const samples: Record<string, [good: string, bad: string]> = {
  'use-regex': ['true', 'yes'],
  'rewrite-target': ['/$2', ''],
  'x-forwarded-prefix': ['/shop', ''],
  'upstream-vhost': ['internal.example', 'bad host!'],
  'permanent-redirect-code': ['308', '200'],
  'permanent-redirect': ['https://x.example/', 'not a url'],
  'temporal-redirect': ['/maint', 'nope'],
  'force-ssl-redirect': ['true', 'on'],
  'ssl-redirect': ['false', '0'],
  'app-root': ['/app', 'app'],
  'proxy-connect-timeout': ['5', '5s'],
  'proxy-send-timeout': ['60', '0'],
  'proxy-read-timeout': ['120', '-1'],
  'proxy-body-size': ['8m', '8 MB'],
  'backend-protocol': ['GRPCS', 'FCGI'],
  'upstream-hash-by': ['$cookie_session', '$host$uri'],
  'load-balance': ['ewma', 'random'],
  'session-cookie-name': ['route', 'bad name'],
  'session-cookie-max-age': ['3600', 'forever'],
  'session-cookie-path': ['/', 'shop'],
  affinity: ['cookie', 'ip'],
  'whitelist-source-range': ['10.0.0.0/8', '10.0.0.0/33'],
  'allowlist-source-range': ['::1, 192.168.0.0/16', 'localhost'],
  'denylist-source-range': ['203.0.113.7', ''],
  'limit-burst-multiplier': ['3', '0'],
  'limit-rps': ['10', '1.5'],
  'limit-rpm': ['600', 'x'],
  'limit-connections': ['5', '0'],
  'cors-allow-origin': ['https://a.example, https://*.b.example', 'a.example'],
  'cors-allow-methods': ['GET, POST', 'GET;POST'],
  'cors-allow-headers': ['X-A, Content-Type', 'X A'],
  'cors-expose-headers': ['X-Total', 'X Total'],
  'cors-allow-credentials': ['false', 'nah'],
  'cors-max-age': ['600', 'long'],
  'enable-cors': ['true', 'enabled'],
  'auth-response-headers': ['X-User', 'X User'],
  'auth-url': ['https://auth.example/check', 'auth.example'],
  'auth-type': ['basic', 'digest'],
  'auth-secret': ['auth/users', 'Not A Name'],
  'auth-secret-type': ['auth-map', 'htdigest'],
  'auth-realm': ['Authentication Required', 'say "hi"'],
  'mirror-target': ['http://mirror.example$request_uri', 'ftp://mirror'],
  canary: ['true', 'maybe'],
  'canary-by-header': ['X-Canary', 'X Canary'],
  'canary-by-header-value': ['eu', ''],
  'canary-by-header-pattern': ['^eu-', '(unclosed'],
  'canary-by-cookie': ['canary', 'a b'],
  'canary-weight': ['10', '-5'],
  'canary-weight-total': ['1000', '0'],
};

function draft(path = '/'): RouteDraft {
  return {
    name: 'ingress/default/a/rule/0/path/0',
    ingress: { metadata: { namespace: 'default', name: 'a', uid: 'u' } },
    host: 'shop.example.com',
    path,
    pathType: 'Prefix',
    conflictKey: 'k',
    match: { hosts: ['shop.example.com'], paths: [{ type: 'prefix', value: path }] },
    upstream: { draft: { key: 'service/default/echo/port/80', owner: { kind: 'Service', namespace: 'default', name: 'echo' }, nodes: [] }, overrides: {} },
    extraUpstreams: [],
    plugins: {},
    tls: true,
  };
}

const noResources: Resources = { ingresses: [], ingressClasses: [], services: [], endpointSlices: [], endpoints: [], secrets: [], configMaps: [] };

function apply(key: string, value: string, others: Record<string, string> = {}, route = draft()): RouteDraft {
  const a = annotationByKey.get(key)!;
  const warnings: string[] = [];
  a.apply({ value, ingress: route.ingress, route, annotation: (k) => others[k], resources: noResources, warn: (m) => warnings.push(m) });
  return route;
}

describe('declared annotations', () => {
  it('every declaration has a key, a doc and a unique key', () => {
    expect(new Set(annotations.map((a) => a.key)).size).toBe(annotations.length);
    for (const a of annotations) expect(a.doc.length, a.key).toBeGreaterThan(10);
  });

  for (const a of annotations.filter((x) => x.key.startsWith(NGINX) && x.support !== 'refused')) {
    const name = a.key.slice(NGINX.length);
    it(`${name}: accepts a good value and refuses a bad one`, () => {
      const sample = samples[name];
      expect(sample, `add samples for ${name}`).toBeDefined();
      expect(a.validate(sample![0])).toBeUndefined();
      expect(a.validate(sample![1])).toMatch(/./);
    });
  }

  it('snippets are always refused', () => {
    for (const a of annotations.filter((x) => x.support === 'refused')) expect(a.validate('return 200;')).toMatch(/never executed/);
  });

  it('rewrite-target replaces the whole path with capture groups', () => {
    const route = draft('/something(/|$)(.*)');
    route.match.paths = [{ type: 'regex', value: '(?:/something(/|$)(.*)).*' }];
    apply(`${NGINX}rewrite-target`, '/$2', {}, route);
    const [pattern, target] = (route.plugins['proxy-rewrite'] as { regexUri: [string, string] }).regexUri;
    expect('/something/new/x?'.replace(/\?$/, '').replace(new RegExp(pattern), target)).toBe('/new/x');
    expect('/something'.replace(new RegExp(pattern), target)).toBe('/');
  });

  it('ssl-redirect applies only to TLS hosts and yields to an explicit redirect', () => {
    expect(apply(`${NGINX}ssl-redirect`, 'true').plugins.redirect).toEqual({ httpToHttps: true, code: 308 });
    expect(apply(`${NGINX}ssl-redirect`, 'true', {}, { ...draft(), tls: false }).plugins.redirect).toBeUndefined();
    const redirected = draft();
    redirected.plugins.redirect = { uri: '/x', code: 301 };
    expect(apply(`${NGINX}ssl-redirect`, 'true', {}, redirected).plugins.redirect).toEqual({ uri: '/x', code: 301 });
  });

  it('limit-rps uses the burst multiplier', () => {
    expect(apply(`${NGINX}limit-rps`, '10', { [`${NGINX}limit-burst-multiplier`]: '3' }).plugins['limit-req']).toMatchObject({ rate: 10, burst: 30 });
  });

  it('proxy-body-size parses nginx sizes', () => {
    expect(apply(`${NGINX}proxy-body-size`, '512k').plugins['client-control']).toEqual({ maxBodySize: 524_288 });
    expect(apply(`${NGINX}proxy-body-size`, '0').plugins['client-control']).toBeUndefined();
  });

  it('upstream-level annotations become upstream overrides, the defaults do not', () => {
    expect(apply(`${NGINX}backend-protocol`, 'HTTP').upstream.overrides).toEqual({});
    expect(apply(`${NGINX}backend-protocol`, 'grpcs').upstream.overrides).toEqual({ scheme: 'grpcs' });
    expect(apply(`${NGINX}upstream-hash-by`, '$http_x_user').upstream.overrides).toEqual({ type: 'chash', hashOn: 'header', key: 'x-user' });
    expect(apply(`${NGINX}load-balance`, 'round_robin').upstream.overrides).toEqual({});
  });

  it('enable-cors turns a wildcard origin into a one-label regex', () => {
    const cors = apply(`${NGINX}enable-cors`, 'true', { [`${NGINX}cors-allow-origin`]: 'https://*.b.example' }).plugins.cors as { allowOriginsByRegex: string[] };
    const re = new RegExp(cors.allowOriginsByRegex[0]!);
    expect(re.test('https://app.b.example')).toBe(true);
    expect(re.test('https://x.app.b.example')).toBe(false);
  });

  it('mirror-target adds an upstream from the URL', () => {
    const route = apply(`${NGINX}mirror-target`, 'https://mirror.example:8443$request_uri');
    expect(route.extraUpstreams[0]!.draft.nodes).toEqual([{ host: 'mirror.example', port: 8443, weight: 1 }]);
    expect(route.plugins['request-mirror']).toMatchObject({ upstreamId: expect.stringMatching(/^k8s-/) });
  });
});
