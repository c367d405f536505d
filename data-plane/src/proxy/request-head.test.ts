import type { IncomingMessage } from 'node:http';
import type { Upstream } from '@sluice/model';
import { describe, expect, it } from 'vitest';
import type { NodeRef } from '../balancer/types.js';
import { buildRequestHead, nodeHostHeader } from './request-head.js';
import { upstreamSettings } from './upstream-settings.js';

/** The fields of a parsed request the head builder reads (a real IncomingMessage has them all). */
function parsed(rawHeaders: string[], encrypted = false): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i].toLowerCase();
    headers[k] = headers[k] === undefined ? rawHeaders[i + 1] : `${headers[k]}, ${rawHeaders[i + 1]}`;
  }
  return { method: 'GET', url: '/a?b=1', rawHeaders, headers, socket: { remoteAddress: '10.0.0.9', localPort: 9080, encrypted } } as unknown as IncomingMessage;
}

const node: NodeRef = { host: '10.1.1.1', port: 8080, weight: 1, priority: 0, key: '10.1.1.1:8080' };
const upstream = (extra: Partial<Upstream> = {}): Upstream => ({ id: 'u', nodes: [{ host: node.host, port: node.port }], ...extra });

describe('buildRequestHead', () => {
  it('forwards end-to-end headers as received and sets Host and X-Forwarded-*', () => {
    const req = parsed(['Host', 'shop.example', 'User-Agent', 'ua/1', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'TE', 'trailers', 'X-Forwarded-For', '1.2.3.4', 'x-real-ip', 'spoofed'], true);
    expect(buildRequestHead(req, node, upstreamSettings(upstream()), false, '')).toBe(
      'GET /a?b=1 HTTP/1.1\r\n' +
        'User-Agent: ua/1\r\n' +
        'Host: shop.example\r\n' +
        'X-Forwarded-For: 1.2.3.4, 10.0.0.9\r\n' +
        'X-Forwarded-Proto: https\r\n' +
        'X-Forwarded-Host: shop.example\r\n' +
        'X-Forwarded-Port: 9080\r\n' +
        'X-Real-IP: 10.0.0.9\r\n' +
        '\r\n',
    );
  });

  it('keeps Upgrade and Connection exactly on a handshake, and appends framing', () => {
    const req = parsed(['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket']);
    const head = buildRequestHead(req, node, upstreamSettings(upstream()), true, '');
    expect(head).toContain('\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n');
    const chunked = buildRequestHead(parsed(['Host', 'h', 'Transfer-Encoding', 'chunked']), node, upstreamSettings(upstream()), false, 'Transfer-Encoding: chunked\r\n');
    expect(chunked.match(/transfer-encoding/gi)).toHaveLength(1);
    expect(chunked.endsWith('Transfer-Encoding: chunked\r\n\r\n')).toBe(true);
  });

  it('chooses Host by passHost', () => {
    const req = parsed(['Host', 'client.example']);
    expect(buildRequestHead(req, node, upstreamSettings(upstream({ passHost: 'node' })), false, '')).toContain('\r\nHost: 10.1.1.1:8080\r\n');
    expect(buildRequestHead(req, node, upstreamSettings(upstream({ passHost: 'rewrite', upstreamHost: 'in.example' })), false, '')).toContain('\r\nHost: in.example\r\n');
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
