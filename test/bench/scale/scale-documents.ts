import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { documentKey, kindByCollection, validateDocument, type Route, type Ssl, type Upstream } from '@sluice/model';
import type { Etcd3 } from 'etcd3';

/** etcd's default --max-txn-ops: one transaction holds at most this many puts. */
const TXN_OPS = 128;
/** Distinct RSA keys behind the certificates (a key is what costs when a context loads; making 1,000 would take minutes). */
const KEYS = 10;

export interface ScaleConfig {
  routes: number;
  upstreams: number;
  certificates: number;
}

export type CollectionDocs = { collection: 'routes' | 'upstreams' | 'ssls'; doc: Route | Upstream | Ssl };

/**
 * A large config: `upstreams` upstreams with two nodes each, `routes` routes over 1,000 hosts
 * (prefix paths, every 10th exact, every 50th with a header condition) spread over the
 * upstreams, and `certificates` ssl documents, each its own certificate for its own name. The
 * catch-all route `ready` (prefix /ready on any host) answers from `readyPort`.
 */
export async function scaleDocuments(
  config: ScaleConfig,
  readyPort: number,
  certificates: readonly { cert: string; key: string; sni: string }[],
): Promise<CollectionDocs[]> {
  const docs: CollectionDocs[] = [];
  docs.push({ collection: 'upstreams', doc: { id: 'ready', nodes: [{ host: '127.0.0.1', port: readyPort, weight: 1 }] } });
  docs.push({ collection: 'routes', doc: { id: 'ready', match: { paths: [{ type: 'prefix', value: '/ready' }] }, backends: [{ upstreamId: 'ready' }] } });
  for (let i = 0; i < config.upstreams; i++) {
    docs.push({
      collection: 'upstreams',
      doc: {
        id: `u${i}`,
        nodes: [
          { host: '127.0.0.1', port: 20_000 + (i % 1000), weight: 1 },
          { host: '127.0.0.2', port: 20_000 + (i % 1000), weight: 1 },
        ],
      },
    });
  }
  for (let i = 0; i < config.routes; i++) {
    const path = i % 10 === 0 ? { type: 'exact' as const, value: `/exact/${i}` } : { type: 'prefix' as const, value: `/app${i % 37}/res${i}` };
    const route: Route = {
      id: `r${i}`,
      match: { hosts: [`svc${i % 1000}.example.com`], paths: [path], ...(i % 50 === 0 ? { headers: [{ name: 'x-canary', value: 'on' }] } : {}) },
      backends: [{ upstreamId: `u${i % Math.max(1, config.upstreams)}` }],
    };
    docs.push({ collection: 'routes', doc: route });
  }
  certificates
    .slice(0, config.certificates)
    .forEach((c, i) => docs.push({ collection: 'ssls', doc: { id: `cert${i}`, snis: [c.sni], cert: c.cert, key: c.key } }));
  for (const { collection, doc } of docs.slice(0, 3)) {
    const issues = validateDocument(kindByCollection(collection)!, doc);
    if (issues.length) throw new Error(`scale bench ${collection}/${doc.id} is invalid: ${JSON.stringify(issues)}`);
  }
  return docs;
}

/** Writes the documents under `prefix` in transactions of 128 puts, a few at a time. */
export async function putAll(etcd: Etcd3, prefix: string, docs: readonly CollectionDocs[]): Promise<void> {
  const batches: CollectionDocs[][] = [];
  for (let i = 0; i < docs.length; i += TXN_OPS) batches.push(docs.slice(i, i + TXN_OPS));
  let next = 0;
  const writer = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      await etcd.kv.txn({
        success: batch.map(({ collection, doc }) => ({
          request_put: { key: Buffer.from(documentKey(prefix, collection, doc.id!)), value: Buffer.from(JSON.stringify(doc)) },
        })),
      });
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
}

/**
 * `count` self-signed certificates (RSA 2048, each for `tls<i>.example.com`) made with openssl
 * into `dir`, over 10 keys. Two openssl processes at a time.
 */
export async function makeCertificates(dir: string, count: number): Promise<{ cert: string; key: string; sni: string }[]> {
  fs.mkdirSync(dir, { recursive: true });
  const run = promisify(execFile);
  const keyFile = (k: number) => path.join(dir, `key${k}.pem`);
  for (let k = 0; k < Math.min(KEYS, count); k++)
    await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyFile(k)]);
  const made: { cert: string; key: string; sni: string }[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const sni = `tls${i}.example.com`;
      const certFile = path.join(dir, `cert${i}.pem`);
      await run('openssl', [
        'req',
        '-x509',
        '-key',
        keyFile(i % KEYS),
        '-subj',
        `/CN=${sni}`,
        '-addext',
        `subjectAltName=DNS:${sni}`,
        '-days',
        '2',
        '-out',
        certFile,
      ]);
      made[i] = { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile(i % KEYS), 'utf8'), sni };
    }
  };
  await Promise.all([worker(), worker()]);
  return made;
}
