// The runner's pure parts: the suite's judging rules, placeholders, the echo JSON and slices.
import { describe, expect, it } from 'vitest';
import { stepsOf, type ConformanceTest, type HttpExpect } from './cases-file.js';
import { decodeEchoResponse, grpcCodeName } from './clients/grpc-client.js';
import { dnsQuery } from './clients/stream-clients.js';
import { canonicalHeaderName, echoBody, parseEchoSetHeader, parseGoDuration } from './echo/echo-body.js';
import { encodeEchoResponse } from './echo/grpc-echo.js';
import { dnsAnswer } from './echo/udp-echo.js';
import { endpointSliceFor, type EmulatedPod } from './endpoint-slices.js';
import { applyJsonPatch } from './json-patch.js';
import { judgeHttp, statusAccepted, type SentRequest } from './judges/http-judge.js';
import { judgeStatus, type StatusContext } from './judges/status-judge.js';
import { judgeMirrorCount, judgeWeights } from './judges/weights-judge.js';
import { manifestObjects } from './manifest-objects.js';
import { nextGeneration } from './object-store.js';
import { listenerPorts } from './port-map.js';
import { backendOfPod, podName } from './pod-names.js';
import type { KubeObject } from '../helpers/kube-api-server.js';

const values = { gatewayClassName: 'sluice', controllerName: 'sluice.dev/gateway-controller', usableAddress: '127.0.1.250', unusableAddress: '192.0.2.1' };
const echoReply = (body: object, extra: Record<string, string> = {}) => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});
const sent: SentRequest = { method: 'GET', host: 'example.com', path: '/a?b=1', headers: { 'X-Foo': 'bar' }, scheme: 'http' };

describe('HTTP judge (CompareRoundTrip)', () => {
  const expect200: HttpExpect = {
    status: [200],
    backend: { namespace: 'infra', pod_prefix: 'infra-backend-v1' },
    backend_request: { method: 'GET', path: '/a?b=1', host: null, headers: null, headers_absent: [] },
    backend_request_source: 'defaulted_from_request',
  };
  const echoed = { path: '/a?b=1', host: 'example.com', method: 'GET', headers: { 'X-Foo': ['bar'] }, namespace: 'infra', pod: 'infra-backend-v1-abc-xyz' };

  it('passes an exact echo and names the first mismatch otherwise', () => {
    expect(judgeHttp(expect200, sent, echoReply(echoed))).toBeUndefined();
    expect(judgeHttp(expect200, sent, echoReply({ ...echoed, pod: 'infra-backend-v2-a-b' }))).toMatch(/expected pod infra-backend-v1/);
    expect(judgeHttp(expect200, sent, echoReply({ ...echoed, host: 'example.com:80' }))).toMatch(/host/);
    expect(judgeHttp(expect200, sent, echoReply({ ...echoed, headers: { 'X-Foo': ['baz'] } }))).toMatch(/X-Foo/);
    expect(judgeHttp(expect200, sent, echoReply({ ...echoed, path: '/a' }))).toMatch(/path/);
  });

  it('reads the echo only when Content-Type is exactly application/json (README §9.1)', () => {
    const reply = { ...echoReply(echoed), headers: { 'content-type': 'application/json; charset=utf-8' } };
    expect(judgeHttp(expect200, sent, reply)).toMatch(/namespace/);
  });

  it('accepts 408 for 504 and judges only the status for other codes', () => {
    expect(statusAccepted([504], 408)).toBe(true);
    expect(statusAccepted([200], 408)).toBe(false);
    expect(judgeHttp({ ...expect200, status: [500] }, sent, { status: 500, headers: {}, body: 'x' })).toBeUndefined();
  });

  it('checks response headers, ignoring whitespace when asked', () => {
    const e: HttpExpect = { status: [200], response_headers: { 'X-A': 'a, b' }, response_headers_absent: ['x-gone'], ignore_whitespace_in_header_values: true };
    expect(judgeHttp(e, sent, echoReply(echoed, { 'x-a': 'a,b' }))).toBeUndefined();
    expect(judgeHttp({ ...e, ignore_whitespace_in_header_values: false }, sent, echoReply(echoed, { 'x-a': 'a,b' }))).toMatch(/X-A/);
    expect(judgeHttp(e, sent, echoReply(echoed, { 'x-a': 'a,b', 'x-gone': '1' }))).toMatch(/absent/);
  });

  it('judges redirects by scheme, host, allowed ports and path', () => {
    const e: HttpExpect = { status: [302], redirect: { scheme: 'https', host: 'example.org', port: null, allowed_ports: ['', '443'], path: '/x' } };
    const r = (location: string) => ({ status: 302, headers: { location }, body: '' });
    expect(judgeHttp(e, sent, r('https://example.org/x?q=1'))).toBeUndefined();
    expect(judgeHttp(e, sent, r('https://example.org:443/x'))).toBeUndefined();
    expect(judgeHttp(e, sent, r('https://example.org:8443/x'))).toMatch(/port/);
    expect(judgeHttp(e, sent, r('http://example.org/x'))).toMatch(/scheme/);
    expect(judgeHttp(e, sent, r('https://example.org/y'))).toMatch(/path/);
  });
});

describe('weights and mirrors', () => {
  const pods = (n: number, name: string) => Array.from({ length: n }, () => `${name}-5d8f-abcde`);
  it('accepts shares within the tolerance and refuses weight-0 or missing backends', () => {
    const w = { 'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3, 'infra-backend-v3': 0 };
    expect(judgeWeights([...pods(350, 'infra-backend-v1'), ...pods(150, 'infra-backend-v2')], w, 0.05)).toBeUndefined();
    expect(judgeWeights([...pods(250, 'infra-backend-v1'), ...pods(250, 'infra-backend-v2')], w, 0.05)).toMatch(/50.0%/);
    expect(judgeWeights([...pods(349, 'infra-backend-v1'), ...pods(150, 'infra-backend-v2'), ...pods(1, 'infra-backend-v3')], w, 0.05)).toMatch(/weight-0/);
    expect(judgeWeights(pods(500, 'infra-backend-v1'), w, 0.05)).toMatch(/no requests/);
    expect(judgeWeights(pods(500, 'other'), w, 0.05)).toMatch(/unexpected backend/);
  });
  it('counts mirrored requests within three standard deviations', () => {
    expect(judgeMirrorCount(100, 500, 20, 3)).toBeUndefined();
    expect(judgeMirrorCount(140, 500, 20, 3)).toMatch(/mirror saw 140/);
  });
  it('derives backends from pod names as the suite does', () => {
    const pod = podName('infra-backend-v1', 'ns', 0);
    expect(pod).toMatch(/^infra-backend-v1-[a-z0-9]{10}-[a-z0-9]{5}$/);
    expect(backendOfPod(pod)).toBe('infra-backend-v1');
  });
});

describe('placeholders and manifests', () => {
  it('overwrites every Gateway class and the address placeholders', () => {
    const [gw, gc] = manifestObjects(
      `kind: Gateway\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: g}\nspec:\n  gatewayClassName: "{GATEWAY_CLASS_NAME}"\n  addresses: [{type: x, value: v}, {value: PLACEHOLDER_UNUSABLE_ADDRS}, {value: PLACEHOLDER_USABLE_ADDRS}]\n  listeners: [{name: a, port: 80, protocol: HTTP}]\n---\n---\nkind: GatewayClass\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: c}\nspec: {controllerName: other}\n`,
      values,
    ) as any[];
    expect(gw.spec.gatewayClassName).toBe('sluice');
    expect(gw.spec.addresses).toEqual([
      { type: 'x', value: 'v' },
      { type: 'IPAddress', value: '192.0.2.1' },
      { type: 'IPAddress', value: '127.0.1.250' },
    ]);
    expect(gc.spec.controllerName).toBe('sluice.dev/gateway-controller');
    expect(listenerPorts([gw])).toEqual([80]);
  });

  it('bumps generation only when the spec changes', () => {
    const o = { kind: 'Gateway', apiVersion: 'v1', metadata: { name: 'g', generation: 3 }, spec: { a: 1 }, status: { x: 1 } } as KubeObject;
    expect(nextGeneration(undefined, o)).toBe(1);
    expect(nextGeneration(o, { ...o, metadata: { name: 'g', labels: { a: 'b' } }, status: undefined })).toBe(3);
    expect(nextGeneration(o, { ...o, spec: { a: 2 } })).toBe(4);
  });

  it('applies RFC 6902 patches, appending with -', () => {
    const doc = { spec: { listeners: [{ name: 'a' }], hostname: 'x' } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/spec/listeners/-', value: { name: 'b' } },
      { op: 'replace', path: '/spec/hostname', value: 'y' },
      { op: 'add', path: '/spec/description', value: 'new' },
    ]);
    expect(out).toEqual({ spec: { listeners: [{ name: 'a' }, { name: 'b' }], hostname: 'y', description: 'new' } });
    expect(doc.spec.listeners).toHaveLength(1);
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing/x', value: 1 }])).toThrow(/does not exist/);
  });

  it('orders cases, status checks and actions by step', () => {
    const t = { cases: [{ step: 3 }], status_expectations: [{ step: 1 }, { step: 4 }], actions: [{ step: 2 }] } as unknown as ConformanceTest;
    expect(stepsOf(t).map((s) => `${s.type}${s.step}`)).toEqual(['status1', 'action2', 'case3', 'status4']);
  });
});

describe('echo server shape (README §7)', () => {
  it('builds the echo-basic JSON with canonical header names and no Host', () => {
    const body = echoBody(
      {
        path: '/p?q=1',
        host: 'h.example',
        method: 'GET',
        proto: 'HTTP/1.1',
        rawHeaders: ['host', 'h.example', 'x-echo-set-header', '', 'x-multi', 'a', 'X-MULTI', 'b'],
        httpPort: '3000',
      },
      { namespace: 'ns', pod: 'p-1-2', service: '', ingress: '' },
    );
    expect(Object.keys(body)).toEqual(['path', 'host', 'method', 'proto', 'headers', 'namespace', 'ingress', 'service', 'pod', 'httpPort']);
    expect(body.headers).toEqual({ 'X-Echo-Set-Header': [''], 'X-Multi': ['a', 'b'] });
    expect(canonicalHeaderName('content-type')).toBe('Content-Type');
  });
  it('parses X-Echo-Set-Header and Go durations', () => {
    expect(parseEchoSetHeader('X-A:1,x-a:2,Y-B:v:w,bad')).toEqual([
      ['X-A', '1,2'],
      ['Y-B', 'v:w'],
    ]);
    expect(parseEchoSetHeader('')).toEqual([]);
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('soon')).toBeUndefined();
  });
  it('round-trips the gRPC EchoResponse and names codes as Go does', () => {
    const msg = encodeEchoResponse('/svc/Echo', [['x', 'y']], 'a.example', { namespace: 'ns', pod: 'grpc-1-2', service: 's', ingress: '' });
    expect(decodeEchoResponse(msg)).toEqual({ fullMethod: '/svc/Echo', namespace: 'ns', pod: 'grpc-1-2' });
    expect(grpcCodeName(12)).toBe('Unimplemented');
    expect(grpcCodeName(0)).toBe('OK');
    expect(grpcCodeName(4)).toBe('DeadlineExceeded');
  });
  it('answers a DNS A query with a response', () => {
    const reply = dnsAnswer(dnsQuery('foo.bar.com.'), '127.0.0.1')!;
    expect(reply[2] & 0x80).toBe(0x80);
    expect(reply.readUInt16BE(6)).toBe(1);
  });
});

describe('EndpointSlices for emulated pods', () => {
  const pod = (name: string, app: string, ip: string): EmulatedPod => ({ namespace: 'ns', name, ip, labels: { app }, namedPorts: {} });
  const svc = (spec: object) => ({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', namespace: 'ns' }, spec }) as KubeObject;
  it('lists ready pods the selector matches, with target ports and appProtocol', () => {
    const slice = endpointSliceFor(
      svc({
        selector: { app: 'web' },
        ports: [
          { name: 'h2', port: 8081, targetPort: 3001, appProtocol: 'kubernetes.io/h2c' },
          { port: 8080, targetPort: 3000 },
        ],
      }),
      [pod('web-a-b', 'web', '127.0.2.1'), pod('other-a-b', 'other', '127.0.2.2')],
    ) as any;
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('web');
    expect(slice.ports).toEqual([
      { name: 'h2', port: 3001, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: '', port: 3000, protocol: 'TCP' },
    ]);
    expect(slice.endpoints).toEqual([
      {
        addresses: ['127.0.2.1'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'ns', name: 'web-a-b' },
      },
    ]);
  });
  it('leaves selector-less Services to hand-written slices', () => {
    expect(endpointSliceFor(svc({ ports: [{ port: 80 }] }), [])).toBeUndefined();
  });
});

describe('status judge', () => {
  const gw = (status: object, generation = 2) =>
    ({ kind: 'Gateway', apiVersion: 'v1', metadata: { name: 'g', namespace: 'ns', generation }, spec: {}, status }) as unknown as KubeObject;
  const ctx = (o: KubeObject): StatusContext => ({
    get: () => o,
    list: () => [o],
    controllerName: 'sluice.dev/gateway-controller',
    usableAddress: '127.0.1.250',
    generationBefore: () => 1,
  });
  const ok = { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 2 };
  it('requires conditions at the latest generation and a typed address', () => {
    const e = { check: 'gateway_has_address', step: 1, object: { kind: 'Gateway', name: 'g', namespace: 'ns' } };
    expect(judgeStatus(e, ctx(gw({ conditions: [ok], addresses: [{ type: 'IPAddress', value: '127.0.1.1' }] })))).toBeUndefined();
    expect(judgeStatus(e, ctx(gw({ conditions: [{ ...ok, observedGeneration: 1 }], addresses: [{ type: 'IPAddress', value: '127.0.1.1' }] })))).toMatch(
      /observedGeneration 1/,
    );
    expect(judgeStatus(e, ctx(gw({ conditions: [ok], addresses: [{ value: '127.0.1.1' }] })))).toMatch(/no status.addresses/);
  });
  it('matches route parents by group, kind, name, namespace and controller', () => {
    const route = {
      kind: 'HTTPRoute',
      apiVersion: 'v1',
      metadata: { name: 'r', namespace: 'ns', generation: 1 },
      status: {
        parents: [
          {
            parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' },
            controllerName: 'sluice.dev/gateway-controller',
            conditions: [{ ...ok, observedGeneration: 1 }],
          },
        ],
      },
    } as unknown as KubeObject;
    const e = {
      check: 'route_parents',
      step: 1,
      object: { kind: 'HTTPRoute', name: 'r', namespace: 'ns' },
      namespace_required: false,
      parents: [
        {
          parent_ref: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'ns', name: 'g' },
          controller_name: '$CONTROLLER_NAME',
          conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
        },
      ],
    };
    expect(judgeStatus(e, ctx(route))).toBeUndefined();
    expect(judgeStatus({ ...e, namespace_required: true }, ctx(route))).toMatch(/no status.parents entry/);
  });
  it('counts listener statuses exactly', () => {
    const e = {
      check: 'listener_statuses',
      step: 1,
      object: { kind: 'Gateway', name: 'g', namespace: 'ns' },
      listeners: [{ name: 'http', supported_kinds: [{ kind: 'HTTPRoute' }], attached_routes: 1, conditions: [] }],
    };
    expect(
      judgeStatus(
        e,
        ctx(
          gw({ listeners: [{ name: 'http', attachedRoutes: 1, supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }], conditions: [] }] }),
        ),
      ),
    ).toBeUndefined();
    expect(judgeStatus(e, ctx(gw({ listeners: [{ name: 'http', attachedRoutes: 2, supportedKinds: [{ kind: 'HTTPRoute' }], conditions: [] }] })))).toMatch(
      /attachedRoutes 2/,
    );
  });
});

describe('Go hostname check', () => {
  it('lets *.org match example.org as Go does, one label only', async () => {
    const { goMatchesHostname } = await import('./clients/go-hostname-check.js');
    expect(goMatchesHostname('*.org', 'example.org')).toBe(true);
    expect(goMatchesHostname('*.wildcard.org', 'fourth-example.wildcard.org')).toBe(true);
    expect(goMatchesHostname('*.org', 'a.example.org')).toBe(false);
    expect(goMatchesHostname('abc.example.com', 'ABC.example.com.')).toBe(true);
  });
});
