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
  'proxy-connect-timeout': ['5s', 'soon'],
  'proxy-send-timeout': ['60', '0'],
  'proxy-read-timeout': ['2m', '-1'],
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
  'proxy-next-upstream': ['error timeout http_503 non_idempotent', 'error http_418'],
  'proxy-next-upstream-tries': ['3', 'three'],
  'proxy-next-upstream-timeout': ['10s', '10x'],
  'default-backend': ['errors', 'other/errors'],
  'custom-http-errors': ['404,503', '404,200'],
  'service-upstream': ['true', 'yes'],
  'ssl-passthrough': ['true', 'on'],
  'auth-tls-secret': ['default/ca', 'Bad/Name'],
  'auth-tls-verify-client': ['optional', 'maybe'],
  'auth-tls-verify-depth': ['2', '0'],
  'auth-tls-pass-certificate-to-upstream': ['true', '1'],
  'auth-tls-error-page': ['https://errors.example/cert', 'errors.example'],
  'auth-signin': ['https://login.example/start', 'https://login.example/?rd=$escaped_request_uri'],
  'auth-signin-redirect-param': ['next', 'a b'],
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

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const someResources: Resources = {
  ...noResources,
  services: [
    { metadata: { namespace: 'default', name: 'echo' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] } },
    { metadata: { namespace: 'default', name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    { metadata: { namespace: 'default', name: 'errors' }, spec: { clusterIP: '10.96.0.11', ports: [{ port: 8080 }] } },
  ],
  secrets: [{ metadata: { namespace: 'default', name: 'ca' }, stringData: { 'ca.crt': CA_PEM } }],
};

function applyWith(
  resources: Resources,
  key: string,
  value: string,
  others: Record<string, string> = {},
  route = draft(),
): { route: RouteDraft; warnings: string[] } {
  const warnings: string[] = [];
  annotationByKey.get(key)!.apply({ value, ingress: route.ingress, route, annotation: (k) => others[k], resources, warn: (m) => warnings.push(m) });
  return { route, warnings };
}

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

  it('proxy-body-size parses nginx sizes; "0" lifts any limit, a global default included', () => {
    expect(apply(`${NGINX}proxy-body-size`, '512k').plugins['client-control']).toEqual({ maxBodySize: 524_288 });
    expect(apply(`${NGINX}proxy-body-size`, '5M').plugins['client-control']).toEqual({ maxBodySize: 5 * 1024 * 1024 });
    // A route's own client-control replaces a global rule's: an empty one means no limit.
    expect(apply(`${NGINX}proxy-body-size`, '0').plugins['client-control']).toEqual({});
  });

  it('timeouts take seconds or nginx times (11s, 5m, 1h, 500ms, 1m30s), as the seeds write them', () => {
    expect(apply(`${NGINX}proxy-connect-timeout`, '11s').timeout).toEqual({ connect: 11 });
    expect(apply(`${NGINX}proxy-read-timeout`, '12').timeout).toEqual({ read: 12 });
    expect(apply(`${NGINX}proxy-send-timeout`, '5m').timeout).toEqual({ send: 300 });
    expect(apply(`${NGINX}proxy-read-timeout`, '1h').timeout).toEqual({ read: 3600 });
    expect(apply(`${NGINX}proxy-read-timeout`, '1m30s').timeout).toEqual({ read: 90 });
    expect(apply(`${NGINX}proxy-connect-timeout`, '500ms').timeout).toEqual({ connect: 0.5 });
    expect(annotationByKey.get(`${NGINX}proxy-read-timeout`)!.validate('2d')).toMatch(/at most 86400 seconds/);
    expect(annotationByKey.get(`${NGINX}proxy-read-timeout`)!.validate('12 s')).toMatch(/nginx time/);
  });

  it('upstream-level annotations become upstream overrides, the defaults do not', () => {
    expect(apply(`${NGINX}backend-protocol`, 'HTTP').upstream.overrides).toEqual({});
    expect(apply(`${NGINX}backend-protocol`, 'grpcs').upstream.overrides).toEqual({ scheme: 'grpcs' });
    expect(apply(`${NGINX}upstream-hash-by`, '$http_x_user').upstream.overrides).toEqual({ type: 'chash', hashOn: 'header', key: 'x-user' });
    expect(apply(`${NGINX}load-balance`, 'round_robin').upstream.overrides).toEqual({});
  });

  it('enable-cors turns a wildcard origin into a one-label regex', () => {
    const cors = apply(`${NGINX}enable-cors`, 'true', { [`${NGINX}cors-allow-origin`]: 'https://*.b.example' }).plugins.cors as {
      allowOriginsByRegex: string[];
    };
    const re = new RegExp(cors.allowOriginsByRegex[0]!);
    expect(re.test('https://app.b.example')).toBe(true);
    expect(re.test('https://x.app.b.example')).toBe(false);
  });

  it('mirror-target adds an upstream from the URL', () => {
    const route = apply(`${NGINX}mirror-target`, 'https://mirror.example:8443$request_uri');
    expect(route.extraUpstreams[0]!.draft.nodes).toEqual([{ host: 'mirror.example', port: 8443, weight: 1 }]);
    expect(route.plugins['request-mirror']).toMatchObject({ upstreamId: expect.stringMatching(/^k8s-/) });
  });

  it('proxy-next-upstream maps nginx conditions onto retryOn, off to no retries', () => {
    expect(apply(`${NGINX}proxy-next-upstream`, 'error timeout invalid_header http_503 http_429 non_idempotent').upstream.overrides).toEqual({
      retryOn: ['error', 'timeout', 503, 429, 'non_idempotent'],
    });
    expect(apply(`${NGINX}proxy-next-upstream`, 'off').upstream.overrides).toEqual({ retries: 0 });
    expect(annotationByKey.get(`${NGINX}proxy-next-upstream`)!.validate('off error')).toMatch(/off/);
  });

  it('proxy-next-upstream-tries counts the first try; 0 and off leave retries alone', () => {
    expect(apply(`${NGINX}proxy-next-upstream-tries`, '3').upstream.overrides).toEqual({ retries: 2 });
    expect(apply(`${NGINX}proxy-next-upstream-tries`, '0').upstream.overrides).toEqual({});
    expect(apply(`${NGINX}proxy-next-upstream-tries`, '3', { [`${NGINX}proxy-next-upstream`]: 'off' }).upstream.overrides).toEqual({});
    expect(apply(`${NGINX}proxy-next-upstream-timeout`, '7').upstream.overrides).toEqual({ retryTimeout: 7 });
    expect(apply(`${NGINX}proxy-next-upstream-timeout`, '0').upstream.overrides).toEqual({});
  });

  it('service-upstream uses the ClusterIP, except for headless Services', () => {
    const route = draft();
    route.upstream.draft.key = 'service/default/echo/port/http';
    const { route: done } = applyWith(someResources, `${NGINX}service-upstream`, 'true', {}, route);
    expect(done.upstream.draft.nodes).toEqual([{ host: '10.96.0.10', port: 80, weight: 1 }]);
    expect(done.upstream.draft.key).toBe('service/default/echo/port/http/cluster-ip');
    const headless = draft();
    headless.upstream.draft.key = 'service/default/headless/port/80';
    const { route: kept, warnings } = applyWith(someResources, `${NGINX}service-upstream`, 'true', {}, headless);
    expect(kept.upstream.draft.nodes).toEqual([]);
    expect(warnings[0]).toMatch(/ClusterIP/);
  });

  it('default-backend replaces only an upstream without endpoints', () => {
    const empty = applyWith(someResources, `${NGINX}default-backend`, 'errors').route;
    expect(empty.upstream.draft.key).toBe('service/default/errors/port/8080');
    const full = draft();
    full.upstream.draft.nodes = [{ host: '10.0.0.1', port: 80, weight: 1 }];
    expect(applyWith(someResources, `${NGINX}default-backend`, 'errors', {}, full).route.upstream.draft.key).toBe('service/default/echo/port/80');
    expect(applyWith(someResources, `${NGINX}default-backend`, 'missing').warnings[0]).toMatch(/not found/);
  });

  it('custom-http-errors sends listed statuses to the default backend, and needs one', () => {
    const { route } = applyWith(someResources, `${NGINX}custom-http-errors`, '503, 404,503', { [`${NGINX}default-backend`]: 'errors' });
    expect(route.plugins['error-pages']).toMatchObject({
      statuses: [404, 503],
      headers: { 'X-Namespace': 'default', 'X-Ingress-Name': 'a', 'X-Service-Name': 'echo', 'X-Service-Port': '80' },
    });
    expect(route.extraUpstreams[0]!.draft.key).toBe('service/default/errors/port/8080');
    const alone = applyWith(someResources, `${NGINX}custom-http-errors`, '503');
    expect(alone.route.plugins['error-pages']).toBeUndefined();
    expect(alone.warnings[0]).toMatch(/default-backend/);
  });

  it('auth-tls-secret adds client-cert-headers on TLS hosts, with the error page when verify is on', () => {
    const on = applyWith(someResources, `${NGINX}auth-tls-secret`, 'default/ca', {
      [`${NGINX}auth-tls-secret`]: 'default/ca',
      [`${NGINX}auth-tls-pass-certificate-to-upstream`]: 'true',
      [`${NGINX}auth-tls-error-page`]: 'https://errors.example/cert',
    }).route;
    expect(on.plugins['client-cert-headers']).toEqual({ passCertificate: true, errorPage: 'https://errors.example/cert' });
    const optional = applyWith(someResources, `${NGINX}auth-tls-secret`, 'default/ca', {
      [`${NGINX}auth-tls-secret`]: 'default/ca',
      [`${NGINX}auth-tls-verify-client`]: 'optional',
      [`${NGINX}auth-tls-error-page`]: 'https://errors.example/cert',
    }).route;
    expect(optional.plugins['client-cert-headers']).toEqual({ passCertificate: false });
    const off = applyWith(someResources, `${NGINX}auth-tls-secret`, 'default/ca', {
      [`${NGINX}auth-tls-secret`]: 'default/ca',
      [`${NGINX}auth-tls-verify-client`]: 'off',
    }).route;
    expect(off.plugins['client-cert-headers']).toBeUndefined();
    const missingCa = applyWith(someResources, `${NGINX}auth-tls-secret`, 'default/nope', { [`${NGINX}auth-tls-secret`]: 'default/nope' }).route;
    expect(missingCa.plugins['client-cert-headers']).toBeUndefined();
  });

  it('auth-url takes auth-signin and its redirect param', () => {
    const route = apply(`${NGINX}auth-url`, 'https://auth.example/check', {
      [`${NGINX}auth-signin`]: 'https://login.example/start',
      [`${NGINX}auth-signin-redirect-param`]: 'next',
    });
    expect((route.plugins['forward-auth'] as { signin: unknown }).signin).toEqual({ url: 'https://login.example/start', redirectParam: 'next' });
  });
});
