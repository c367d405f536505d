import type { Upstream } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import type { NodeRef } from '../balancer/types.js';
import { headerOp } from '../plugins/header-ops.js';
import { PluginContext } from '../plugins/plugin-context.js';
import type { RequestHead } from './front/client-side.js';
import { requestHeaders } from './front/request-headers.js';
import { h1RequestHead, h2RequestHeaders, nodeHostHeader, outgoingRequest, upstreamHost } from './upstream-request-head.js';
import { upstreamSettings } from './upstream-settings.js';

/** A request as the pipeline leaves it (normalized path and query, host). */
function request(rawHeaders: string[], extra: Partial<RequestHead> = {}): RequestHead {
  const headers = requestHeaders(rawHeaders);
  return {
    method: 'GET',
    url: '/a?b=1',
    path: '/a',
    query: 'b=1',
    host: headers.host,
    rawHeaders,
    headers,
    http2: false,
    http11: true,
    grpc: false,
    upgrade: undefined,
    socket: { remoteAddress: '10.0.0.9', localPort: 9080, encrypted: false } as unknown as RequestHead['socket'],
    ...extra,
  };
}

const node: NodeRef = { host: '10.1.1.1', port: 8080, weight: 1, priority: 0, key: '10.1.1.1:8080' };
const upstream = (extra: Partial<Upstream> = {}): Upstream => ({ id: 'u', nodes: [{ host: node.host, port: node.port }], ...extra });
const head = (req: RequestHead, u = upstream(), upgrade?: string, plugins?: PluginContext) => {
  const out = outgoingRequest(req, plugins, upgrade);
  return h1RequestHead(req, out, upstreamHost(out, node, upstreamSettings(u), undefined));
};

describe('the upstream request head', () => {
  it('forwards end-to-end headers as received and sets Host and X-Forwarded-*', () => {
    const req = request([
      'Host',
      'shop.example',
      'User-Agent',
      'ua/1',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'TE',
      'trailers',
      'X-Forwarded-For',
      '1.2.3.4',
      'x-real-ip',
      'spoofed',
    ]);
    expect(head(req)).toBe(
      'GET /a?b=1 HTTP/1.1\r\n' +
        'User-Agent: ua/1\r\n' +
        'Host: shop.example\r\n' +
        'X-Forwarded-For: 1.2.3.4, 10.0.0.9\r\n' +
        'X-Forwarded-Proto: http\r\n' +
        'X-Forwarded-Host: shop.example\r\n' +
        'X-Forwarded-Port: 9080\r\n' +
        'X-Real-IP: 10.0.0.9\r\n' +
        '\r\n',
    );
  });

  it('takes framing from the parsed request, never from what Connection names', () => {
    const withLength = request(['Host', 'h', 'Connection', 'Content-Length, Host, Transfer-Encoding, X-Forwarded-For', 'Content-Length', '5']);
    const h = head(withLength);
    expect(h).toContain('\r\nHost: h\r\n');
    expect(h).toContain('\r\nContent-Length: 5\r\n');
    expect(h).toContain('\r\nX-Forwarded-For: 10.0.0.9\r\n');
    const chunked = head(request(['Host', 'h', 'Transfer-Encoding', 'chunked', 'Content-Length', '3']));
    expect(chunked.match(/transfer-encoding/gi)).toHaveLength(1);
    expect(chunked).not.toMatch(/content-length/i);
    expect(chunked.endsWith('Transfer-Encoding: chunked\r\n\r\n')).toBe(true);
  });

  it('drops every spelling of the headers the gateway vouches for', () => {
    const h = head(
      request(['Host', 'h', 'x_forwarded_for', '6.6.6.6', 'X_REAL_IP', '6.6.6.6', 'x-consumer-username', 'admin', 'x_consumer_username', 'admin']),
    );
    expect(h).not.toMatch(/6\.6\.6\.6|admin|_/);
  });

  it("lets a plugin header replace the client's in every spelling", () => {
    const req = request(['Host', 'h', 'ssl_client_verify', 'SUCCESS', 'SSL-Client-Verify', 'SUCCESS']);
    const ctx = new PluginContext('GET', '/a', 'b=1', req.headers, '10.0.0.9', 'http', 'r');
    ctx.addUpstreamHeaderOps([headerOp('set', 'ssl-client-verify', 'NONE')]);
    const h = head(req, upstream(), undefined, ctx);
    expect(h.match(/ssl.client.verify/gi)).toHaveLength(1);
    expect(h).toContain('\r\nssl-client-verify: NONE\r\n');
  });

  it("asks an upgrade with Connection: Upgrade and the client's token, with no body framing", () => {
    const h = head(request(['Host', 'h', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k']), upstream(), 'websocket');
    expect(h).toContain('\r\nSec-WebSocket-Key: k\r\n');
    expect(h).toContain('\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n');
    expect(h.match(/upgrade/gi)).toHaveLength(2);
  });

  it('chooses Host by passHost', () => {
    const req = request(['Host', 'client.example']);
    expect(head(req, upstream({ passHost: 'node' }))).toContain('\r\nHost: 10.1.1.1:8080\r\n');
    expect(head(req, upstream({ passHost: 'rewrite', upstreamHost: 'in.example' }))).toContain('\r\nHost: in.example\r\n');
  });

  it('carries the same headers over HTTP/2', () => {
    const req = request(['Host', 'h', 'X-Kept', '1', 'Connection', 'X-Gone', 'X-Gone', '2', 'Content-Length', '4']);
    const out = outgoingRequest(req, undefined, undefined);
    const settings = upstreamSettings(upstream({ scheme: 'h2c' }));
    expect(h2RequestHeaders(req, out, 'h', settings)).toEqual({
      ':method': 'GET',
      ':path': '/a?b=1',
      ':scheme': 'http',
      ':authority': 'h',
      'x-kept': '1',
      'x-forwarded-for': '10.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'h',
      'x-forwarded-port': '9080',
      'x-real-ip': '10.0.0.9',
      'content-length': '4',
    });
  });
});

describe('nodeHostHeader', () => {
  it('omits the default port and brackets IPv6', () => {
    expect(nodeHostHeader({ ...node, host: 'a.example', port: 80 }, false)).toBe('a.example');
    expect(nodeHostHeader({ ...node, host: 'a.example', port: 443 }, true)).toBe('a.example');
    expect(nodeHostHeader({ ...node, host: 'a.example', port: 443 }, false)).toBe('a.example:443');
    expect(nodeHostHeader({ ...node, host: '::1', port: 8080 }, false)).toBe('[::1]:8080');
  });
});
