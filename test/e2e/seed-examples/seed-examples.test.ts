// Every Kubernetes example of the seed articles (../shared/seeds, copied into the folders next to
// this file), run as a new user would: `gateway up --manifests DIR` as ingress-nginx's
// replacement (--ingress-class nginx, --controller-name k8s.io/ingress-nginx, its ConfigMap
// flags), judged by what the data plane serves. One gateway serves the whole suite: each test
// puts its example (and the cluster objects the article takes for granted: the Pods' endpoints,
// Services it only mentions) into the folder, saved as editors save (temp file + rename), and
// waits for the behaviour the article's text describes. Examples that cannot work as written
// must say why in a warning, and the test checks that warning. What a test changes in a copied
// example (a Pod IP, a port a machine cannot bind) is said where it does it. Seeds 001 and 004
// hold no Kubernetes objects (nginx/OpenResty configuration and Dockerfiles only); 002's Helm
// values files are not objects either.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import WebSocket from 'ws';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../../helpers/processes.js';
import { startHttpEcho, startWsEcho, type EchoServer } from '../../helpers/upstreams.js';
import { askWhenOpen, makeCerts, startTcpEcho, startUdpEcho, type TcpEcho, type TestCerts, type UdpEcho } from '../stream-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ADMIN_KEY = 'seed-admin-key';

let gw: GatewayProcess;
let dir: string;
let httpsPort: number;
let tcpPort: number;
let udpPort: number;
let a: EchoServer;
let b: EchoServer;
let ws: Awaited<ReturnType<typeof startWsEcho>>;
let tcp: TcpEcho;
let udp: UdpEcho;
let certs: TestCerts;
/** Where the gateway's output stood when the current example was put in the folder. */
let mark = 0;

type Obj = Record<string, unknown>;

// --- the cluster an article takes for granted -------------------------------------------------

/** The EndpointSlice Kubernetes would make for a Service's Pods: every address is a local upstream. */
function endpoints(service: string, namespace: string, port: { name?: string; number: number; protocol?: string }): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-seed`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ ...(port.name ? { name: port.name } : {}), port: port.number, protocol: port.protocol ?? 'TCP' }],
  };
}

/** Two Pods of one Service on two local upstreams: one slice each, since both listen on 127.0.0.1 with different ports. */
function twoPods(service: string, namespace: string, portName: string | undefined, ports: [number, number]): Obj[] {
  return ports.map((p, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-seed-${i}`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ ...(portName ? { name: portName } : {}), port: p, protocol: 'TCP' }],
  }));
}

function service(name: string, namespace = 'default', port = 80, portName?: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ ...(portName ? { name: portName } : {}), port }] },
  };
}

/** An Ingress the article implies (a NodePort Service exposed "through nginx") but does not write. */
function ingressTo(name: string, host: string, svc: string, port: number, namespace = 'default'): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace },
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { number: port } } } }] } }],
    },
  };
}

function tlsSecret(name: string, pem: { cert: string; key: string }): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace: 'default' },
    stringData: { 'tls.crt': pem.cert, 'tls.key': pem.key },
  };
}

// --- putting an example in the folder -----------------------------------------------------------

/** Saves a file as editors do: a temp file renamed over the target. */
function save(name: string, text: string): void {
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, name));
}

/**
 * Replaces the folder's content with the seed examples named (their files as copied, through
 * `edit` when a test must change something) plus `cluster` objects. The nginx IngressClass
 * (installed with the controller) is always there.
 */
function show(examples: string[], cluster: Obj[] = [], edit: (text: string) => string = (t) => t): void {
  mark = gw.output().length;
  const files = new Map<string, string>();
  for (const example of ['002-ingress-class-nginx', ...examples]) {
    for (const file of fs.readdirSync(path.join(here, example)).filter((f) => f.endsWith('.yaml'))) {
      files.set(`${example}--${file}`, edit(fs.readFileSync(path.join(here, example, file), 'utf8')));
    }
  }
  if (cluster.length) files.set('cluster.yaml', cluster.map((o) => YAML.stringify(o)).join('---\n'));
  for (const old of fs.readdirSync(dir)) if (!files.has(old)) fs.rmSync(path.join(dir, old));
  for (const [name, text] of files) save(name, text);
}

/** Translator and admission warnings logged since the example went in, as `object: message`. */
function warnings(): string[] {
  return gw
    .output()
    .slice(mark)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { object?: string; message?: string })
    .filter((l) => l.object && l.message)
    .map((l) => `${l.object}: ${l.message}`);
}

async function warned(pattern: RegExp): Promise<void> {
  await waitFor(() => warnings().some((w) => pattern.test(w)), 15_000, `a warning matching ${pattern}; got:\n${[...new Set(warnings())].join('\n')}`);
}

// --- asking the data plane ------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The echo upstream's JSON description of what it received, when it answered. */
  echo?: { server: string; url: string; method: string; headers: Record<string, string>; body: string };
  peerCn?: string;
}

function ask(
  host: string,
  p: string,
  opts: { headers?: Record<string, string>; method?: string; body?: Buffer | string; tls?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = opts.tls ? https : http;
    const req = lib.request(
      {
        host: '127.0.0.1',
        port: opts.tls ? httpsPort : gw.ports.http,
        path: p,
        method: opts.method ?? 'GET',
        headers: { host, ...opts.headers },
        agent: false,
        ...(opts.tls ? { servername: host, ca: certs.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          let echo: Answer['echo'];
          if (res.headers['x-upstream'] && res.headers['content-encoding'] === undefined) {
            try {
              echo = JSON.parse(body.toString());
            } catch {
              /* not an echo */
            }
          }
          const peerCn = opts.tls ? String((res.socket as TLSSocket).getPeerCertificate?.().subject?.CN) : undefined;
          resolve({ status: res.statusCode!, headers: res.headers, body, echo, peerCn });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer for ${host}${p}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Waits until the data plane answers `host` + `p` as `ok` says (the watch, translation and etcd take a moment). */
async function served(host: string, p: string, ok: (a: Answer) => boolean, opts: Parameters<typeof ask>[2] = {}): Promise<Answer> {
  let last: Answer | undefined;
  await waitFor(
    async () => {
      last = await ask(host, p, opts).catch(() => undefined);
      return last !== undefined && ok(last);
    },
    15_000,
    `${host}${p} as expected`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last answer: ${last?.status} ${last?.body.toString().slice(0, 200)}`);
  });
  return last!;
}

/** Opens a WebSocket through the data plane, sends `message` and resolves with the echo. */
async function wsRoundTrip(host: string, p: string, message: string): Promise<string> {
  const socket = new WebSocket(`ws://127.0.0.1:${gw.ports.http}${p}`, { headers: { host } });
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send(message));
      socket.once('message', (m) => resolve(m.toString()));
      socket.once('error', reject);
    });
  } finally {
    socket.close();
  }
}

async function admin<T = any>(p: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${gw.ports.admin}/api/v1${p}`, { headers: { 'x-api-key': ADMIN_KEY } });
  return (await res.json()) as T;
}

beforeAll(async () => {
  [a, b, ws, tcp, udp] = await Promise.all([startHttpEcho('pod-a'), startHttpEcho('pod-b'), startWsEcho(), startTcpEcho('mongo'), startUdpEcho('dns')]);
  certs = makeCerts(['foo.bar.com', 'https-example.foo.com']);
  [httpsPort, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-seeds-'));
  save('002-ingress-class-nginx--ingressclass.yaml', fs.readFileSync(path.join(here, '002-ingress-class-nginx/ingressclass.yaml'), 'utf8'));
  gw = await startGateway('up', {
    manifests: dir,
    'no-example': true,
    'https-port': httpsPort,
    'admin-key': ADMIN_KEY,
    'ingress-class': 'nginx',
    'controller-name': 'k8s.io/ingress-nginx',
    // Two examples (000's ingress-test, 002's demo-ingress) name no class, as before IngressClass existed.
    'watch-ingress-without-class': true,
    configmap: 'ingress-nginx/ingress-nginx-controller',
    'tcp-services-configmap': 'ingress-nginx/tcp-services',
    'udp-services-configmap': 'ingress-nginx/udp-services',
  });
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([a?.close(), b?.close(), ws?.close(), tcp?.close(), udp?.close()]);
  certs?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('seed 000: Ingress basics, WebSocket, canary', () => {
  it('ingress-test: foo.bar.com/bar and below go to service1; /barbaz and other hosts do not', async () => {
    show(['000-ingress-test'], [service('service1'), endpoints('service1', 'default', { number: a.port })]);
    expect((await served('foo.bar.com', '/bar', (r) => r.status === 200)).echo?.server).toBe('pod-a');
    expect((await ask('foo.bar.com', '/bar/baz')).echo?.url).toBe('/bar/baz');
    expect((await ask('foo.bar.com', '/barbaz')).status).toBe(404);
    expect((await ask('other.bar.com', '/bar')).status).toBe(404);
  });

  it('tornado-socket: the removed extensions/v1beta1 Ingress is converted (warning), the snippet refused (warning), and WebSocket works with the long timeout', async () => {
    show(['000-tornado-socket'], [service('tornado-socket', 'default', 8000), endpoints('tornado-socket', 'default', { number: ws.port })]);
    await warned(
      /^Ingress\/default\/tornado-socket: extensions\/v1beta1 Ingress was removed in Kubernetes 1\.22.*converted to networking\.k8s\.io\/v1 \(write it as v1/,
    );
    await warned(
      /^Ingress\/default\/tornado-socket: annotation nginx\.ingress\.kubernetes\.io\/server-snippets ignored: snippets are never executed.*use sluice\.dev\/plugins instead/,
    );
    await served('tornado-ws.example.com', '/', (r) => r.status !== 404);
    expect(await wsRoundTrip('tornado-ws.example.com', '/chat', 'hello tornado')).toBe('hello tornado');
    const routes = await admin<{ items: { timeout?: { read?: number; send?: number }; owner: { name: string } }[] }>('/routes');
    expect(routes.items.find((r) => r.owner.name === 'tornado-socket')?.timeout).toMatchObject({ read: 3600, send: 3600 });
  });

  it('canary: the canary header sends a request to the canary, everything else to production', async () => {
    show(
      ['000-canary'],
      [service('production'), endpoints('production', 'default', { number: a.port }), service('canary'), endpoints('canary', 'default', { number: b.port })],
    );
    await served('kubesphere.io', '/', (r) => r.echo?.server === 'pod-a');
    expect((await ask('kubesphere.io', '/', { headers: { canary: 'other-value' } })).echo?.server).toBe('pod-b');
    expect((await ask('kubesphere.io', '/', { headers: { canary: 'never' } })).echo?.server).toBe('pod-a');
    for (let i = 0; i < 5; i++) expect((await ask('kubesphere.io', '/')).echo?.server).toBe('pod-a');
  });
});

describe('seed 002: Services', () => {
  it('myservice: the Service port 80 reaches the Pods on targetPort 8080 (the port named myapp-http)', async () => {
    show(
      ['002-myservice'],
      [endpoints('myservice', 'default', { name: 'myapp-http', number: a.port }), ingressTo('myservice', 'myservice.example', 'myservice', 80)],
    );
    expect((await served('myservice.example', '/x', (r) => r.status === 200)).echo?.server).toBe('pod-a');
  });

  it("myservice as NodePort: the node port is kube-proxy's; through the gateway it serves as a ClusterIP Service", async () => {
    show(
      ['002-myservice-nodeport'],
      [endpoints('myservice', 'default', { name: 'myapp-http', number: b.port }), ingressTo('myservice', 'myservice.example', 'myservice', 80)],
    );
    expect((await served('myservice.example', '/', (r) => r.echo?.server === 'pod-b')).status).toBe(200);
  });

  it('ExternalName: a backend on my-service proxies to my.database.example.com (and to any name written there)', async () => {
    show(['002-external-name'], [ingressTo('db', 'db.example', 'my-service', 5432, 'prod')]);
    await waitFor(
      async () =>
        (await admin<{ items: { nodes: { host: string; port: number }[] }[] }>('/upstreams')).items.some((u) =>
          u.nodes.some((n) => n.host === 'my.database.example.com' && n.port === 5432),
        ),
      15_000,
      'an upstream on my.database.example.com:5432',
    );
    // The same Service naming a host this machine resolves, to see traffic pass.
    show(['002-external-name'], [ingressTo('db', 'db.example', 'my-service', a.port, 'prod')], (t) => t.replace('my.database.example.com', 'localhost'));
    expect((await served('db.example', '/', (r) => r.status === 200)).echo?.server).toBe('pod-a');
  });

  it("etcd-k8s: a selector-less headless Service with hand-written Endpoints (the IP made this machine's)", async () => {
    show(['002-etcd-k8s'], [ingressTo('etcd', 'etcd.example', 'etcd-k8s', 2379, 'kube-system')], (t) =>
      t.replace('10.151.30.57', '127.0.0.1').replace('port: 2379   #', `port: ${b.port}   #`),
    );
    expect((await served('etcd.example', '/health', (r) => r.status === 200)).echo?.server).toBe('pod-b');
  });

  it('nginx with externalTrafficPolicy: Local: the Pods see the real client address', async () => {
    show(['002-client-ip'], [endpoints('nginx', 'default', { number: a.port }), ingressTo('nginx', 'nginx.example', 'nginx', 80)]);
    const answer = await served('nginx.example', '/', (r) => r.status === 200);
    expect(answer.echo?.headers['x-real-ip']).toBe('127.0.0.1');
    expect(answer.echo?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('headless nginx: requests spread over the Pods', async () => {
    show(['002-headless'], [...twoPods('nginx', 'default', 'http', [a.port, b.port]), ingressTo('nginx', 'headless.example', 'nginx', 80)]);
    await served('headless.example', '/', (r) => r.status === 200);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await ask('headless.example', '/')).echo!.server);
    expect([...seen].sort()).toEqual(['pod-a', 'pod-b']);
  });
});

describe('seed 002: Ingress', () => {
  it('demo-ingress: /testpath/** reaches the test Service at / (rewrite-target: /)', async () => {
    show(['002-demo-ingress'], [service('test'), endpoints('test', 'default', { number: a.port })]);
    expect((await served('any.example', '/testpath/foo', (r) => r.status === 200)).echo?.url).toBe('/');
    expect((await ask('any.example', '/testpath')).echo?.url).toBe('/');
  });

  it('resource backend: refused with a warning saying why and what to write instead', async () => {
    show(['002-resource-backend'], [service('icons'), endpoints('icons', 'default', { number: a.port })]);
    await warned(
      /^Ingress\/default\/ingress-resource-backend: .*resource backends \(StorageBucket k8s\.example\.com\/icon-assets\) are not supported: Sluice proxies to Services; put what serves the path behind a Service/,
    );
    expect((await ask('any.example', '/icons')).status).toBe(404);
  });

  it('IngressClass external-lb belongs to another controller: its Ingress is not served (either parameters scope)', async () => {
    // The namespaced variant's class replaces the first one (same name, a later file).
    for (const examples of [['002-ingress-class'], ['002-ingress-class', '002-ingress-class-namespaced']]) {
      show(examples, [service('myapp'), endpoints('myapp', 'default', { number: a.port }), ingressTo('probe', 'probe.example', 'myapp', 80)]);
      // The probe Ingress (ours) shows the folder was read; the default backend of myapp (theirs) serves nothing.
      await served('probe.example', '/', (r) => r.status === 200);
      expect((await ask('anything.example', '/')).status).toBe(404);
    }
  });

  it('TLS: the placeholder Secret is refused (not base64); with a real certificate the host is served over HTTPS', async () => {
    show(['002-tls-example'], [service('service1'), endpoints('service1', 'default', { number: a.port })]);
    await warned(/^Secret\/default\/testsecret-tls: refused, as the API server would refuse it: data\[tls\.crt\]: Invalid value: must be base64/);
    // The same example with the certificate `openssl req -x509 ... -subj "/CN=https-example.foo.com"` would give.
    const pem = certs.leaf('https-example.foo.com');
    show(['002-tls-example'], [service('service1'), endpoints('service1', 'default', { number: a.port })], (t) =>
      t
        .replace('tls.crt: base64 编码的 cert', `tls.crt: ${Buffer.from(pem.cert).toString('base64')}`)
        .replace('tls.key: base64 编码的 key', `tls.key: ${Buffer.from(pem.key).toString('base64')}`),
    );
    const answer = await served('https-example.foo.com', '/', (r) => r.status === 200, { tls: true });
    expect(answer.peerCn).toBe('https-example.foo.com');
    expect(answer.echo?.headers['x-forwarded-proto']).toBe('https');
    // ssl-redirect is on for a TLS host, as in ingress-nginx.
    expect((await ask('https-example.foo.com', '/')).status).toBe(308);
  });

  it("the Helm chart's NOTES example is refused as a cluster would refuse it, with warnings naming the fields", async () => {
    show(['002-helm-notes-example'], [service('exampleservice', 'foo'), endpoints('exampleservice', 'foo', { number: a.port })]);
    await warned(/^Ingress\/foo\/example: refused, as the API server would refuse it: .*spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value/);
    await warned(
      /^Ingress\/foo\/example: .*spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.name: Invalid value "exampleService": a Service name must be an RFC 1035 label/,
    );
    await warned(/^Secret\/foo\/example-tls: refused.*data\[tls\.crt\]: Invalid value: must be base64/);
    expect((await ask('www.example.com', '/')).status).toBe(404);
  });
});

describe('seed 002: ingress-nginx', () => {
  const myNginx = () => [endpoints('my-nginx', 'default', { name: 'http', number: a.port })];

  it('my-nginx: ngdemo.qikqiak.com serves the my-nginx Pods', async () => {
    show(['002-my-nginx'], myNginx());
    expect((await served('ngdemo.qikqiak.com', '/', (r) => r.status === 200)).echo?.server).toBe('pod-a');
  });

  it('my-nginx.yaml saved by rename three times (as editors and git checkout save): each version is served', async () => {
    show(['002-my-nginx'], myNginx());
    await served('ngdemo.qikqiak.com', '/', (r) => r.status === 200);
    const file = '002-my-nginx--my-nginx.yaml';
    const original = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const version of [1, 2, 3]) {
      save(file, original.replace('host: ngdemo.qikqiak.com', `host: v${version}.qikqiak.com`));
      await served(`v${version}.qikqiak.com`, '/', (r) => r.echo?.server === 'pod-a');
      expect((await served(version === 1 ? 'ngdemo.qikqiak.com' : `v${version - 1}.qikqiak.com`, '/', (r) => r.status === 404)).status).toBe(404);
    }
  });

  it('basic auth: 401 with the realm, then foo:foo passes (htpasswd Secret)', async () => {
    show(['002-my-nginx', '002-basic-auth'], myNginx());
    const denied = await served('bauth.qikqiak.com', '/', (r) => r.status === 401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="Authentication Required - foo"');
    const passed = await ask('bauth.qikqiak.com', '/', { headers: { authorization: `Basic ${Buffer.from('foo:foo').toString('base64')}` } });
    expect(passed.echo?.server).toBe('pod-a');
    expect((await ask('bauth.qikqiak.com', '/', { headers: { authorization: `Basic ${Buffer.from('foo:bar').toString('base64')}` } })).status).toBe(401);
  });

  it("rewrite: /gateway/x reaches my-nginx at /x; the host's / is not matched", async () => {
    show(['002-my-nginx', '002-rewrite'], myNginx());
    expect((await served('rewrite.qikqiak.com', '/gateway/', (r) => r.status === 200)).echo?.url).toBe('/');
    expect((await ask('rewrite.qikqiak.com', '/gateway/index.html')).echo?.url).toBe('/index.html');
    expect((await ask('rewrite.qikqiak.com', '/')).status).toBe(404);
  });

  it("rewrite with app-root: the host's / redirects to /gateway/", async () => {
    show(['002-my-nginx', '002-rewrite-app-root'], myNginx());
    const root = await served('rewrite.qikqiak.com', '/', (r) => r.status === 302);
    expect(root.headers.location).toMatch(/\/gateway\/$/);
    expect((await ask('rewrite.qikqiak.com', '/gateway/app')).echo?.url).toBe('/app');
  });

  it('rewrite with a configuration-snippet: the snippet is refused (warning); app-root and the rewrite still work', async () => {
    show(['002-my-nginx', '002-rewrite-snippet'], myNginx());
    await warned(
      /^Ingress\/default\/rewrite: annotation nginx\.ingress\.kubernetes\.io\/configuration-snippet ignored: snippets are never executed.*use sluice\.dev\/plugins instead/,
    );
    expect((await served('rewrite.qikqiak.com', '/', (r) => r.status === 302)).headers.location).toMatch(/\/gateway\/$/);
    expect((await ask('rewrite.qikqiak.com', '/gateway/x')).echo?.url).toBe('/x');
  });

  it('HTTPS with basic auth: the foo-tls certificate on foo.bar.com, 401 then 200', async () => {
    // 002-https-auth's Ingress replaces 002-basic-auth's (same name, a later file); the basic-auth Secret stays.
    show(['002-my-nginx', '002-basic-auth', '002-https-auth'], [...myNginx(), tlsSecret('foo-tls', certs.leaf('foo.bar.com'))]);
    const denied = await served('foo.bar.com', '/', (r) => r.status === 401, { tls: true });
    expect(denied.peerCn).toBe('foo.bar.com');
    const passed = await ask('foo.bar.com', '/', { tls: true, headers: { authorization: `Basic ${Buffer.from('foo:foo').toString('base64')}` } });
    expect(passed.echo?.server).toBe('pod-a');
  });

  it('the global ConfigMap: client-max-body-size taken as proxy-body-size (warning), 11s/12s timeouts, gzip, client limits in a global rule; process keys are warnings', async () => {
    show(['002-my-nginx', '002-global-configmap'], myNginx());
    await warned(
      /^ConfigMap\/ingress-nginx\/ingress-nginx-controller: key client-max-body-size is the NGINX Inc\. controller's name; taken as proxy-body-size \(write that instead\)/,
    );
    await warned(/^ConfigMap\/ingress-nginx\/ingress-nginx-controller: max-worker-connections is not supported by Sluice \(an nginx process setting/);
    // 5m, not ingress-nginx's default 1m: a 2 MiB body passes, 5 MiB + 1 byte does not.
    const twoMiB = Buffer.alloc(2 * 1024 * 1024, 'a');
    await served('ngdemo.qikqiak.com', '/upload', (r) => r.status === 200, { method: 'POST', body: twoMiB });
    expect((await ask('ngdemo.qikqiak.com', '/upload', { method: 'POST', body: Buffer.alloc(5 * 1024 * 1024 + 1, 'a') })).status).toBe(413);
    const zipped = await ask('ngdemo.qikqiak.com', '/', { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const route = (await admin<{ items: { timeout?: object; owner: { name: string } }[] }>('/routes')).items.find((r) => r.owner.name === 'my-nginx');
    expect(route?.timeout).toEqual({ connect: 11, read: 12 });
    const rules = await admin<{ items: { name: string; plugins: Record<string, unknown> }[] }>('/global-rules');
    expect(rules.items.find((r) => r.name === 'configmap/ingress-nginx/ingress-nginx-controller/client')?.plugins).toEqual({
      'client-control': { maxBodySize: 5 * 1024 * 1024 },
      'client-traffic': { maxHeaderSize: 4 * 32 * 1024, keepAliveTimeout: 75, keepAliveRequests: 100 },
    });
  });

  it("tcp-services: MongoDB's port through the gateway (a free port instead of 27017)", async () => {
    show(['002-tcp-services'], [endpoints('mongo', 'default', { number: tcp.port })], (t) =>
      t.replace('"27017": default/mongo:27017', `"${tcpPort}": default/mongo:27017`),
    );
    expect(await askWhenOpen(tcpPort, 'ping')).toBe('mongo:ping');
  });

  it("udp-services: kube-dns's port 53 through the gateway (a free port instead of 53; kube-dns provided)", async () => {
    const kubeDns = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system' },
      spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    };
    show(['002-udp-services'], [kubeDns, endpoints('kube-dns', 'kube-system', { name: 'dns', number: udp.port, protocol: 'UDP' })], (t) =>
      t.replace('53: "kube-system/kube-dns:53"', `"${udpPort}": "kube-system/kube-dns:53"`),
    );
    const socket = dgram.createSocket('udp4');
    const replies: string[] = [];
    socket.on('message', (m) => replies.push(m.toString()));
    try {
      await waitFor(
        () => {
          socket.send('query', udpPort, '127.0.0.1');
          return replies.length > 0;
        },
        15_000,
        'a UDP reply',
      );
      expect(replies[0]).toBe('dns:query');
    } finally {
      socket.close();
    }
  });
});

describe('seed 003: a WebSocket chat service', () => {
  it('im-service behind the gateway: the Upgrade handshake reaches the service intact (no "invalid Upgrade header: null")', async () => {
    let upgrade: string | undefined;
    ws.server.once('headers', (_headers, req) => (upgrade = req.headers.upgrade));
    show(['003-im-service'], [endpoints('im-service', 'default', { number: ws.port }), ingressTo('im', 'websocket.bbotte.com', 'im-service', 9080)]);
    await served('websocket.bbotte.com', '/', (r) => r.status !== 404);
    expect(await wsRoundTrip('websocket.bbotte.com', '/im', 'hi')).toBe('hi');
    expect(upgrade).toBe('websocket');
  });

  it('testim-service with sessionAffinity: ClientIP: a client stays on one Pod', async () => {
    show(
      ['003-testim-service'],
      [...twoPods('testim-service', 'default', undefined, [a.port, b.port]), ingressTo('testim', 'testim.example', 'testim-service', 9080)],
    );
    await served('testim.example', '/', (r) => r.status === 200);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await ask('testim.example', '/')).echo!.server);
    expect(seen.size).toBe(1);
  });
});
