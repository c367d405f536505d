// Issue 15, from the seed examples: app-root redirects the host's "/" whatever the Ingress's
// paths (ingress-nginx gives each host a root location carrying the Ingress's annotations), and
// a Service's `sessionAffinity: ClientIP` keeps a client on one endpoint (kube-proxy's promise).
import { describe, expect, it } from 'vitest';
import { translate, type Resources, type TranslateOptions } from './index.js';

const options: TranslateOptions = { ingressClass: 'nginx', controllerName: 'k8s.io/ingress-nginx', watchIngressWithoutClass: false };

const service = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { namespace: 'default', name, uid: `${name}-uid` },
  spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...extra },
});
const slice = (name: string) => ({
  metadata: { namespace: 'default', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080 }],
  endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
});
const ingress = (name: string, annotations: Record<string, string>, paths: { path: string; pathType: string }[], created = '2024-01-01T00:00:00Z') => ({
  metadata: { namespace: 'default', name, uid: `${name}-uid`, creationTimestamp: created, annotations },
  spec: {
    ingressClassName: 'nginx',
    rules: [{ host: 'rewrite.qikqiak.com', http: { paths: paths.map((p) => ({ ...p, backend: { service: { name: 'my-nginx', port: { number: 80 } } } })) } }],
  },
});
const resources = (ingresses: unknown[], services = [service('my-nginx')]): Resources =>
  ({ ingresses, ingressClasses: [], services, endpointSlices: [slice('my-nginx')], endpoints: [], secrets: [], configMaps: [] }) as unknown as Resources;

type Doc = Record<string, any>;
const routes = (r: ReturnType<typeof translate>) => r.documents.filter((d) => d.collection === 'routes').map((d) => d.doc as Doc);
const upstreams = (r: ReturnType<typeof translate>) => r.documents.filter((d) => d.collection === 'upstreams').map((d) => d.doc as Doc);

describe('app-root (seed 002, URL Rewrite)', () => {
  const seed = ingress('rewrite', { 'nginx.ingress.kubernetes.io/app-root': '/gateway/', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }, [
    { path: '/gateway(/|$)(.*)', pathType: 'Prefix' },
  ]);

  it('redirects the host\'s "/" even when no path of the Ingress covers it', () => {
    const result = translate(resources([seed]), options);
    const root = routes(result).find((r) => r.match.paths[0].type === 'exact' && r.match.paths[0].value === '/');
    expect(root, JSON.stringify(routes(result).map((r) => r.match))).toBeDefined();
    expect(root!.match.hosts).toEqual(['rewrite.qikqiak.com']);
    expect(root!.plugins.redirect).toEqual({ regexUri: ['^/$', '/gateway/'], code: 302 });
    expect(result.warnings).toEqual([]);
  });

  it('leaves "/" alone when another Ingress serves it on that host (its location, its annotations)', () => {
    const other = ingress('site', {}, [{ path: '/', pathType: 'Prefix' }], '2024-01-02T00:00:00Z');
    const result = translate(resources([seed, other]), options);
    expect(routes(result).filter((r) => r.plugins?.redirect)).toEqual([]);
  });
});

describe('sessionAffinity: ClientIP (seed 003, testim-service)', () => {
  const plain = ingress('im', {}, [{ path: '/', pathType: 'Prefix' }]);

  it('becomes consistent hashing on the client address', () => {
    const result = translate(
      resources([plain], [service('my-nginx', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } })]),
      options,
    );
    expect(upstreams(result)[0]).toMatchObject({ type: 'chash', hashOn: 'remote_addr' });
  });

  it("gives way to the Ingress's own balancing annotations", () => {
    const cookie = ingress('im', { 'nginx.ingress.kubernetes.io/affinity': 'cookie' }, [{ path: '/', pathType: 'Prefix' }]);
    const result = translate(resources([cookie], [service('my-nginx', { sessionAffinity: 'ClientIP' })]), options);
    expect(upstreams(result)[0].type).toBeUndefined();
    expect(upstreams(result)[0].affinity).toMatchObject({ type: 'cookie' });
  });

  it('also holds for the tcp-services ConfigMap', () => {
    const r = resources([], [service('my-nginx', { sessionAffinity: 'ClientIP' })]) as unknown as Record<string, unknown[]>;
    r.configMaps = [{ metadata: { namespace: 'ingress-nginx', name: 'tcp-services' }, data: { '27017': 'default/my-nginx:80' } }];
    const result = translate(r as unknown as Resources, { ...options, tcpServicesConfigMap: 'ingress-nginx/tcp-services' });
    expect((result.documents.find((d) => d.collection === 'stream-routes')!.doc as Doc).upstream).toMatchObject({ type: 'chash', hashOn: 'remote_addr' });
  });
});
