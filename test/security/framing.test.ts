// Request smuggling (HTTP desync): message framing the gateway and an upstream could read
// differently. Vectors from RFC 9112 §6 (Transfer-Encoding, Content-Length, message body
// length) and the published desync research (CL.TE, TE.CL, TE obfuscation, duplicate and
// listed Content-Length, chunk-size overflow, chunk extensions, HTTP/1.0 with
// Transfer-Encoding, Connection-named framing headers). Each is judged by what the recording
// upstream parsed: it must never see a request the gateway did not route, and never a body
// cut or extended by the attacker.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAndPrivate, responses, settle, startEdge, statuses, type Edge } from './edge-fixture.js';

let edge: Edge;

beforeAll(async () => {
  edge = await startEdge(['open', 'private'], openAndPrivate);
});
afterAll(async () => {
  await edge?.stop();
});
beforeEach(() => edge.resetUpstreams());

/** The request an attacker hides in a body: it must never be parsed by an upstream. */
const SMUGGLED = 'GET /private/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n';

/** Sends `bytes` on a fresh connection, waits for the answer or the close, and returns the statuses seen. */
async function send(bytes: string): Promise<number[]> {
  const c = edge.raw();
  c.write(bytes);
  await c.until((x) => x.closed || responses(x.text).length > 0, 5000, 'an answer').catch(() => undefined);
  await settle();
  c.close();
  return statuses(c.text);
}

/** Nothing smuggled reached either upstream, and the upstream saw no more requests than `max`. */
function expectNoSmuggling(max: number): void {
  const all = [...edge.up.open.requests, ...edge.up.private.requests];
  expect(all.map((r) => r.url)).not.toContain('/private/smuggled');
  expect(edge.up.private.requests).toEqual([]);
  expect(all.length).toBeLessThanOrEqual(max);
}

describe('Content-Length and Transfer-Encoding together (CL.TE, TE.CL)', () => {
  const body = `0\r\n\r\n${SMUGGLED}`;
  it.each([
    ['CL.TE', `POST /a HTTP/1.1\r\nHost: edge.test\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`],
    ['TE.CL', `POST /a HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${body}`],
  ])('%s is refused with 400 and nothing reaches an upstream', async (_name, bytes) => {
    expect(await send(bytes)).toEqual([400]);
    expectNoSmuggling(0);
  });
});

describe('Transfer-Encoding obfuscation', () => {
  const chunkedSmuggle = `0\r\n\r\n${SMUGGLED}`;
  it.each([
    ['xchunked', 'Transfer-Encoding: xchunked'],
    ['space before the colon', 'Transfer-Encoding : chunked'],
    ['tab value', 'Transfer-Encoding:\tchunked\r\nTransfer-Encoding: x'],
    ['chunked then identity', 'Transfer-Encoding: chunked, identity'],
    ['quoted', 'Transfer-Encoding: "chunked"'],
    ['obs-fold', 'X-Pad: a\r\n Transfer-Encoding: chunked'],
    ['two lines, chunked first', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity'],
    ['vertical tab', 'Transfer-Encoding:\x0bchunked'],
    ['bare LF in the head', 'X-Pad: a\nTransfer-Encoding: chunked'],
  ])('%s is refused with 400 and nothing reaches an upstream', async (_name, header) => {
    const statusesSeen = await send(`POST /a HTTP/1.1\r\nHost: edge.test\r\nContent-Length: ${chunkedSmuggle.length}\r\n${header}\r\n\r\n${chunkedSmuggle}`);
    expect(statusesSeen).toEqual([400]);
    expectNoSmuggling(0);
  });

  it('Transfer-Encoding in upper case is chunked, and the upstream gets exactly the decoded body', async () => {
    const statusesSeen = await send('POST /a HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(statusesSeen).toEqual([200]);
    expect(edge.up.open.requests.map((r) => [r.url, r.body.toString()])).toEqual([['/a', 'hello']]);
  });
});

describe('Content-Length ambiguity', () => {
  it.each([
    ['two different values', 'Content-Length: 5\r\nContent-Length: 48'],
    ['two equal lines', 'Content-Length: 48\r\nContent-Length: 48'],
    ['a list', 'Content-Length: 48, 48'],
    ['a sign', 'Content-Length: +48'],
    ['hex', 'Content-Length: 0x30'],
    ['trailing junk', 'Content-Length: 48x'],
    ['space inside', 'Content-Length: 4 8'],
  ])('%s is refused with 400 and nothing reaches an upstream', async (_name, header) => {
    expect(await send(`POST /a HTTP/1.1\r\nHost: edge.test\r\n${header}\r\n\r\n${SMUGGLED}`)).toEqual([400]);
    expectNoSmuggling(0);
  });
});

describe('chunked bodies', () => {
  it.each([
    ['a chunk size that overflows 64 bits', '10000000000000001\r\nx\r\n0\r\n\r\n'],
    ['a negative chunk size', '-1\r\nx\r\n0\r\n\r\n'],
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['spaces before the size', ' 5\r\nhello\r\n0\r\n\r\n'],
    ['a chunk longer than its size', '3\r\nhello\r\n0\r\n\r\n'],
    ['a bare LF after the size', '5\nhello\r\n0\r\n\r\n'],
  ])('%s is refused with 400 and the upstream never sees the smuggled request', async (_name, chunks) => {
    const seen = await send(`POST /a HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}${SMUGGLED}`);
    expect(seen.at(-1) === 400 || seen.length === 0).toBe(true);
    expectNoSmuggling(1);
    // Whatever part of a bad body went out, the upstream request was cut: never completed as valid.
    for (const r of edge.up.open.requests) expect(r.body.toString()).not.toContain('GET /private');
  });

  it('chunk extensions are accepted and never forwarded as data', async () => {
    const seen = await send(
      'POST /a HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n5;name="v;al";x=y\r\nhello\r\n6;ext\r\n world\r\n0\r\n\r\n',
    );
    expect(seen).toEqual([200]);
    expect(edge.up.open.requests.map((r) => r.body.toString())).toEqual(['hello world']);
  });

  it('HTTP/1.0 with Transfer-Encoding is refused (RFC 9112 §6.1: its framing is faulty)', async () => {
    expect(await send(`POST /a HTTP/1.0\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`)).toEqual([400]);
    expectNoSmuggling(0);
  });
});

describe('Connection naming framing headers', () => {
  it('Connection: Content-Length does not strip the framing: the upstream gets one request with the whole body', async () => {
    const seen = await send(`POST /a HTTP/1.1\r\nHost: edge.test\r\nConnection: Content-Length\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`);
    expect(seen).toEqual([200]);
    expect(edge.up.open.requests.map((r) => [r.url, r.body.toString()])).toEqual([['/a', SMUGGLED]]);
    expectNoSmuggling(1);
  });

  it('Connection: Transfer-Encoding does not strip the framing of a chunked body', async () => {
    const seen = await send(
      `POST /a HTTP/1.1\r\nHost: edge.test\r\nConnection: keep-alive, Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`,
    );
    expect(seen).toEqual([200]);
    expect(edge.up.open.requests.map((r) => [r.url, r.body.toString()])).toEqual([['/a', SMUGGLED]]);
    expectNoSmuggling(1);
  });

  it('Connection: Host does not remove the Host the upstream is sent', async () => {
    expect(await send('GET /a HTTP/1.1\r\nHost: edge.test\r\nConnection: Host\r\n\r\n')).toEqual([200]);
    expect(edge.up.open.requests.map((r) => r.headers.host)).toEqual(['edge.test']);
  });

  it('Connection may still name an ordinary header, which is then not forwarded', async () => {
    expect(await send('GET /a HTTP/1.1\r\nHost: edge.test\r\nConnection: X-Hop\r\nX-Hop: 1\r\nX-Kept: 2\r\n\r\n')).toEqual([200]);
    expect(edge.up.open.requests[0].headers['x-hop']).toBeUndefined();
    expect(edge.up.open.requests[0].headers['x-kept']).toBe('2');
  });

  it('Connection cannot strip the gateway-set X-Forwarded-For', async () => {
    expect(await send('GET /a HTTP/1.1\r\nHost: edge.test\r\nConnection: X-Forwarded-For, X-Real-IP\r\n\r\n')).toEqual([200]);
    expect(edge.up.open.requests[0].headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(edge.up.open.requests[0].headers['x-real-ip']).toBe('127.0.0.1');
  });
});

describe('request line and head', () => {
  it.each([
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: edge.test\r\n\r\n'],
    ['HTTP/0.9', 'GET /private/x\r\n\r\n'],
    ['an unknown version', 'GET /a HTTP/1.7\r\nHost: edge.test\r\n\r\n'],
    ['a NUL in a header value', 'GET /a HTTP/1.1\r\nHost: edge.test\r\nX: a\x00b\r\n\r\n'],
    ['a header without a colon', 'GET /a HTTP/1.1\r\nHost: edge.test\r\nX-Bad\r\n\r\n'],
    ['two Host lines (RFC 9112 §3.2)', 'GET /a HTTP/1.1\r\nHost: edge.test\r\nHost: other.test\r\n\r\n'],
    ['two equal Host lines', 'GET /a HTTP/1.1\r\nHost: edge.test\r\nHost: edge.test\r\n\r\n'],
    ['no Host in HTTP/1.1', 'GET /a HTTP/1.1\r\n\r\n'],
    ['a Host that is not a host', 'GET /a HTTP/1.1\r\nHost: a b/c\r\n\r\n'],
    ['a Host with a comma', 'GET /a HTTP/1.1\r\nHost: a.test, b.test\r\n\r\n'],
    ['an absolute-form target whose authority differs from Host', 'GET http://other.test/a HTTP/1.1\r\nHost: edge.test\r\n\r\n'],
    ['an asterisk-form target', 'OPTIONS * HTTP/1.1\r\nHost: edge.test\r\n\r\n'],
    ['an authority-form target', 'CONNECT edge.test:443 HTTP/1.1\r\nHost: edge.test:443\r\n\r\n'],
  ])('%s is refused with 400 and nothing reaches an upstream', async (_name, bytes) => {
    expect(await send(bytes)).toEqual([400]);
    expectNoSmuggling(0);
    expect(edge.up.open.requests).toEqual([]);
  });

  it('an absolute-form target is routed by its own authority and forwarded in origin form', async () => {
    expect(await send('GET http://edge.test/a?b=1 HTTP/1.1\r\nHost: edge.test\r\n\r\n')).toEqual([200]);
    expect(edge.up.open.requests.map((r) => [r.url, r.headers.host])).toEqual([['/a?b=1', 'edge.test']]);
  });
});

describe('pipelining', () => {
  it('a request after Connection: close on the same connection is never read', async () => {
    const c = edge.raw();
    c.write('GET /first HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\nGET /private/after-close HTTP/1.1\r\nHost: edge.test\r\n\r\n');
    await c.untilClosed();
    expect(statuses(c.text)).toEqual([200]);
    await settle();
    expect(edge.up.open.urls()).toEqual(['/first']);
    expect(edge.up.private.requests).toEqual([]);
  });

  it('pipelined requests are each routed on their own', async () => {
    const c = edge.raw();
    c.write(
      'GET /one HTTP/1.1\r\nHost: edge.test\r\n\r\nGET /private/two HTTP/1.1\r\nHost: edge.test\r\n\r\nGET /private/three HTTP/1.1\r\nHost: edge.test\r\napikey: alice-key\r\n\r\n',
    );
    await c.until((x) => responses(x.text).length === 3);
    c.close();
    expect(statuses(c.text)).toEqual([200, 401, 200]);
    expect(edge.up.open.urls()).toEqual(['/one']);
    expect(edge.up.private.urls()).toEqual(['/private/three']);
  });
});
