// A bounded property-based fuzzer (fast-check): sequences of ambiguous or malformed requests on
// one kept-alive connection — path tricks, duplicated or contradictory framing, Connection
// tokens, underscores, trailers, keys. The property: what the upstreams parse is exactly what
// the gateway routed. Every request an upstream receives was sent by the client (each carries
// a unique x-seq), at most once, with the body the client sent; its path needs no further
// resolution (it is the normalized path the route was chosen on); and the upstream that got
// it is the one the route for that path names, behind that route's authentication.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responses, nodeOf, startEdge, type Edge } from './edge-fixture.js';
import { decodedPath, resolvedByUpstream } from './path-oracle.js';
import type { ReceivedRequest } from './recording-upstream.js';

let edge: Edge;

beforeAll(async () => {
  edge = await startEdge(['open', 'private', 'api'], (up) => [
    ['upstreams', 'open', nodeOf(up.open)],
    ['upstreams', 'private', nodeOf(up.private)],
    ['upstreams', 'api', nodeOf(up.api)],
    ['consumers', 'alice', { plugins: { 'key-auth': { key: 'alice-key' } } }],
    ['routes', 'open', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'open' }] }],
    ['routes', 'private', { match: { paths: [{ type: 'prefix', value: '/private' }] }, backends: [{ upstreamId: 'private' }], plugins: { 'key-auth': {} } }],
    ['routes', 'api', { match: { paths: [{ type: 'prefix', value: '/api' }] }, backends: [{ upstreamId: 'api' }] }],
  ]);
});
afterAll(async () => {
  await edge?.stop();
});

/** The route the gateway's rules give a normalized path (longest prefix). */
function routeFor(path: string): 'private' | 'api' | 'open' {
  if (path === '/private' || path.startsWith('/private/')) return 'private';
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  return 'open';
}

const SEGMENTS = [
  'public',
  'private',
  'api',
  'x',
  '..',
  '.',
  '',
  '%2e',
  '%2E%2e',
  '.%2e',
  '%2e.',
  '%2f',
  '%2F',
  '%5c',
  '\\',
  '%70rivate',
  '%61pi',
  'a%20b',
  ';',
  '..;',
  '%41',
  '~',
  '%7e',
  'PRIVATE',
  'private%2f..',
  '%252e%252e',
  '%00',
  '%ff',
  'é',
];
const FRAMING = [
  'none',
  'length',
  'chunked',
  'chunked-ext',
  'chunked-trailer',
  'cl-and-te',
  'te-obfuscated',
  'two-lengths',
  'connection-names-length',
  'http10-te',
] as const;
const EXTRA_HEADERS = [
  '',
  'x_consumer_username: admin\r\n',
  'X-Consumer-Username: admin\r\n',
  'Host: other.test\r\n',
  'Connection: Host\r\n',
  'Connection: X-Forwarded-For\r\n',
  'X_Forwarded_For: 6.6.6.6\r\n',
  'Expect: 100-continue\r\n',
  'Upgrade: h2c\r\nConnection: Upgrade\r\n',
  'Transfer-Encoding: chunked\r\n',
  'X-Pad: a\r\n b\r\n',
];

interface Sent {
  seq: number;
  path: string;
  key: boolean;
  /** The body an upstream must receive if the request reaches one. */
  body: string;
  /** Its framing is unambiguous and its head well-formed: otherwise no upstream may see it. */
  wellFormed: boolean;
  bytes: string;
}

/** Framings whose length is unambiguous (RFC 9112 §6.3). */
const UNAMBIGUOUS = new Set<string>(['none', 'length', 'chunked', 'chunked-ext', 'chunked-trailer', 'connection-names-length']);
/** Extra header lines that make any head malformed: a second Host, obs-fold. */
const MALFORMING = new Set<string>(['Host: other.test\r\n', 'X-Pad: a\r\n b\r\n']);
/** An extra Transfer-Encoding beside the framing's own length or chunking makes the framing ambiguous (alone, it is a chunked body to come). */
const EXTRA_TE = 'Transfer-Encoding: chunked\r\n';

const requestArb = fc.record({
  segments: fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 6 }),
  query: fc.option(fc.constantFrom('a=1', 'q=%2e%2e/private', 'x=/private/../', ''), { nil: undefined }),
  key: fc.boolean(),
  framing: fc.constantFrom(...FRAMING),
  body: fc.constantFrom('', 'hello', 'GET /private/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n'),
  extra: fc.constantFrom(...EXTRA_HEADERS),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS'),
});

let nextSeq = 1;

type Generated = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function render(r: Generated, last: boolean): Sent {
  const wellFormed = UNAMBIGUOUS.has(r.framing) && !MALFORMING.has(r.extra) && !(r.extra === EXTRA_TE && r.framing !== 'none');
  const seq = nextSeq++;
  const path = '/' + r.segments.join('/') + (r.query === undefined ? '' : `?${r.query}`);
  let head = `${r.method} ${path} HTTP/${r.framing === 'http10-te' ? '1.0' : '1.1'}\r\nHost: edge.test\r\nx-seq: ${seq}\r\n`;
  if (r.key) head += 'apikey: alice-key\r\n';
  head += r.extra;
  if (last) head += 'Connection: close\r\n';
  const b = r.body;
  let bytes: string;
  switch (r.framing) {
    case 'none':
      bytes = `${head}\r\n`;
      break;
    case 'length':
      bytes = `${head}Content-Length: ${b.length}\r\n\r\n${b}`;
      break;
    case 'chunked':
      bytes = `${head}Transfer-Encoding: chunked\r\n\r\n${b.length ? `${b.length.toString(16)}\r\n${b}\r\n` : ''}0\r\n\r\n`;
      break;
    case 'chunked-ext':
      bytes = `${head}Transfer-Encoding: chunked\r\n\r\n${b.length ? `${b.length.toString(16)};a="b;c"\r\n${b}\r\n` : ''}0;z\r\n\r\n`;
      break;
    case 'chunked-trailer':
      bytes = `${head}Transfer-Encoding: chunked\r\n\r\n${b.length ? `${b.length.toString(16)}\r\n${b}\r\n` : ''}0\r\nX-Trailer: t\r\nHost: evil.test\r\n\r\n`;
      break;
    case 'cl-and-te':
      bytes = `${head}Content-Length: ${b.length + 5}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${b}`;
      break;
    case 'te-obfuscated':
      bytes = `${head}Transfer-Encoding: xchunked\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
      break;
    case 'two-lengths':
      bytes = `${head}Content-Length: ${b.length}\r\nContent-Length: 0\r\n\r\n${b}`;
      break;
    case 'connection-names-length':
      bytes = `${head}Connection: Content-Length\r\nContent-Length: ${b.length}\r\n\r\n${b}`;
      break;
    case 'http10-te':
      bytes = `${head}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${b}`;
      break;
  }
  return { seq, path, key: r.key, body: r.framing === 'none' ? '' : b, wellFormed, bytes };
}

/** What the upstreams received for this sequence, judged against what was sent. */
function judge(sent: Sent[], received: { upstream: string; req: ReceivedRequest }[]): void {
  const bySeq = new Map(sent.map((s) => [String(s.seq), s]));
  const seen = new Set<string>();
  for (const { upstream, req } of received) {
    const seq = req.headers['x-seq'];
    // Every request an upstream parsed was sent by the client: nothing smuggled, nothing invented.
    expect(typeof seq === 'string' && bySeq.has(seq), `upstream ${upstream} parsed a request the client never sent: ${req.method} ${req.url}`).toBe(true);
    // ... at most once.
    expect(seen.has(seq as string), `request ${seq} reached an upstream twice`).toBe(false);
    seen.add(seq as string);
    const s = bySeq.get(seq as string)!;
    // The path needs no more resolution: once decoded, it has no dot segments, empty segments or
    // backslashes left, so the upstream reads the very path the route was chosen on.
    const path = decodedPath(req.url);
    expect(resolvedByUpstream(req.url), `upstream ${upstream} got ${req.url} for ${s.path}`).toBe(path);
    // ... and it is the upstream of the route for that path.
    expect(routeFor(path), `${s.path} → ${req.url} landed on ${upstream}`).toBe(upstream);
    if (upstream === 'private') expect(req.headers.apikey, `${s.path} reached private without a key`).toBe('alice-key');
    // Identity headers are the gateway's only.
    const consumerNames = Object.keys(req.headers).filter((n) => n.replace(/_/g, '-') === 'x-consumer-username');
    expect(consumerNames.length).toBeLessThanOrEqual(1);
    if (req.headers['x-consumer-username'] !== undefined) expect(req.headers['x-consumer-username']).toBe('alice');
    expect(req.headers['x-trailer']).toBeUndefined();
    expect(req.headers.host).toBe('edge.test');
    // Malformed or ambiguous requests are refused by the gateway, never guessed at.
    expect(s.wellFormed, `a malformed request reached ${upstream}: ${JSON.stringify(s.bytes)}`).toBe(true);
    // The body is exactly the one the client framed: not cut, not extended by what followed.
    if (req.complete && !req.upgrade) expect(req.body.toString('latin1'), `body of ${s.path}`).toBe(s.body);
  }
}

async function runSequence(sent: Sent[]): Promise<void> {
  edge.resetUpstreams();
  const c = edge.raw();
  c.write(sent.map((s) => s.bytes).join(''));
  await c.until((x) => x.closed || responses(x.text).length >= sent.length, 3000).catch(() => undefined);
  c.close();
  // What reached the upstreams did so before the gateway answered the client.
  await new Promise((r) => setTimeout(r, 5));
  const received = (['open', 'private', 'api'] as const).flatMap((name) => edge.up[name].requests.map((req) => ({ upstream: name, req })));
  judge(sent, received);
}

describe('fuzzing the request path', () => {
  it('what the upstreams parse is exactly what the gateway routed (fast-check, a few thousand requests)', async () => {
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 5 }), async (generated) => {
        const sent = generated.map((r, i) => render(r, i === generated.length - 1));
        requests += sent.length;
        await runSequence(sent);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 900), ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
    );
    expect(requests).toBeGreaterThan(2000);
  }, 180_000);
});
