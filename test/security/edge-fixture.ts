import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { startGateway, type GatewayProcess } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';

/** A document to write: `[collection, id, body]` (the id is added to the body). */
export type Doc = [collection: string, id: string, body: object];

/**
 * A real `gateway data-plane` process (one worker, so every request meets the same state)
 * reading a real etcd, with recording upstreams behind it: the system an attacker meets.
 */
export interface Edge {
  etcd: TestEtcd;
  dp: GatewayProcess;
  /** Named recording upstreams. */
  up: Record<string, RecordingUpstream>;
  httpPort: number;
  httpsPort: number;
  /** Writes documents and waits until the data plane serves their revision. */
  put(...docs: Doc[]): Promise<void>;
  del(collection: string, id: string): Promise<void>;
  /** A raw connection to the HTTP port. */
  raw(): RawClient;
  /** Forgets what every upstream recorded. */
  resetUpstreams(): void;
  stop(): Promise<void>;
}

/** An upstream document whose one node is the named recording upstream. */
export function nodeOf(upstream: RecordingUpstream): { nodes: { host: string; port: number; weight: number }[] } {
  return { nodes: [{ host: '127.0.0.1', port: upstream.port, weight: 1 }] };
}

export async function startEdge(
  upstreamNames: string[],
  docs: (up: Record<string, RecordingUpstream>) => Doc[],
  flags: Record<string, string | number | boolean> = {},
): Promise<Edge> {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  const prefix = etcd.prefix('edge');
  const up: Record<string, RecordingUpstream> = {};
  for (const name of upstreamNames) up[name] = await startRecordingUpstream(name);
  let dp: GatewayProcess | undefined;

  const statusRevision = async (): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${dp!.ports.status}/status`);
    return ((await res.json()) as { revision: number }).revision;
  };
  const write = async (list: Doc[]): Promise<number> => {
    let revision = 0;
    for (const [collection, id, body] of list) {
      const key = collection === 'consumers' ? `${prefix}/consumers/${id}` : `${prefix}/${collection}/${id}`;
      const value = collection === 'consumers' ? { id, username: id, ...body } : { id, ...body };
      const res = await client.put(key).value(JSON.stringify(value)).exec();
      revision = Number(res.header.revision);
    }
    return revision;
  };

  await write(docs(up));
  dp = await startGateway('data-plane', { etcd: etcd.endpoint, prefix, workers: 1, ...flags });
  const edge: Edge = {
    etcd,
    dp,
    up,
    httpPort: dp.ports.http!,
    httpsPort: dp.ports.https!,
    async put(...list) {
      const revision = await write(list);
      await waitFor(async () => (await statusRevision()) >= revision, 15_000, `data plane at revision ${revision}`);
    },
    async del(collection, id) {
      const res = await client.delete().key(`${prefix}/${collection}/${id}`).exec();
      const revision = Number(res.header.revision);
      await waitFor(async () => (await statusRevision()) >= revision, 15_000, `data plane at revision ${revision}`);
    },
    raw: () => new RawClient(dp!.ports.http!),
    resetUpstreams() {
      for (const u of Object.values(up)) u.reset();
    },
    async stop() {
      await dp?.stop();
      client.close();
      await Promise.all(Object.values(up).map((u) => u.close()));
      await etcd.stop();
    },
  };
  return edge;
}

/**
 * The site most vectors attack: `/` open to all (upstream `open`), `/private` behind key-auth
 * (upstream `private`), consumer alice with key `alice-key`.
 */
export function openAndPrivate(up: Record<string, RecordingUpstream>): Doc[] {
  return [
    ['upstreams', 'open', nodeOf(up.open)],
    ['upstreams', 'private', nodeOf(up.private)],
    ['consumers', 'alice', { plugins: { 'key-auth': { key: 'alice-key' } } }],
    ['routes', 'open', { match: { paths: [{ type: 'prefix', value: '/' }] }, backends: [{ upstreamId: 'open' }] }],
    ['routes', 'private', { match: { paths: [{ type: 'prefix', value: '/private' }] }, backends: [{ upstreamId: 'private' }], plugins: { 'key-auth': {} } }],
  ];
}

/** One complete HTTP/1.1 response read from raw bytes. */
export interface RawResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/**
 * The complete responses in bytes a raw client received, in order (Content-Length or chunked
 * bodies; a response without either ends at the close). An incomplete last one is left out.
 */
export function responses(text: string, closed = false): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const headEnd = text.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const lines = text.slice(at, headEnd).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    if (!status) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    if (status < 200 && status !== 101) {
      at = bodyStart;
      continue;
    }
    if (headers['transfer-encoding'] === 'chunked') {
      let body = '';
      let p = bodyStart;
      for (;;) {
        const lineEnd = text.indexOf('\r\n', p);
        if (lineEnd < 0) return out;
        const size = parseInt(text.slice(p, lineEnd), 16);
        if (size === 0) {
          const end = text.indexOf('\r\n\r\n', lineEnd);
          if (end < 0) return out;
          at = end + 4;
          break;
        }
        if (text.length < lineEnd + 2 + size + 2) return out;
        body += text.slice(lineEnd + 2, lineEnd + 2 + size);
        p = lineEnd + 2 + size + 2;
      }
      out.push({ status, headers, body });
      continue;
    }
    const length =
      headers['content-length'] !== undefined ? Number(headers['content-length']) : status === 101 || status === 204 || status === 304 ? 0 : undefined;
    if (length === undefined) {
      if (!closed) break;
      out.push({ status, headers, body: text.slice(bodyStart) });
      break;
    }
    if (text.length < bodyStart + length) break;
    out.push({ status, headers, body: text.slice(bodyStart, bodyStart + length) });
    at = bodyStart + length;
  }
  return out;
}

/** The statuses of the complete responses in a raw client's received text, in order. */
export function statuses(text: string, closed = true): number[] {
  return responses(text, closed).map((r) => r.status);
}

/** Gives in-flight bytes time to reach an upstream before judging that nothing did. */
export function settle(ms = 150): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
