import { kindByCollection, validateDocument, type StreamRoute } from '@sluice/model';
import { findConfigMap } from './config-map-ref.js';
import { resolveServiceUpstream } from './service-upstream.js';
import { shortHash } from './short-hash.js';
import type { Resources, TranslatedDocument } from './types.js';

const ENTRY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?):([A-Za-z0-9-]+)(?::(PROXY)?)?(?::(PROXY)?)?$/;

/**
 * `--tcp-services-configmap` / `--udp-services-configmap`: each `"<port>": "<ns>/<service>:<port>[:PROXY[:PROXY]]"`
 * becomes a stream route listening on <port> with the Service's endpoints inline. As in
 * ingress-nginx, the first PROXY means clients arrive with a PROXY protocol header
 * (`acceptProxyProtocol`), the second that the upstream gets one (`proxyProtocol: v1`).
 */
export function translateStreamServices(
  resources: Resources,
  ref: string | undefined,
  protocol: 'tcp' | 'udp',
  warn: (object: string, message: string) => void,
): TranslatedDocument[] {
  if (!ref) return [];
  const found = findConfigMap(resources, ref);
  if (!found) {
    warn(
      `ConfigMap/${ref.includes('/') ? ref : `default/${ref}`}`,
      `the --${protocol}-services-configmap ConfigMap does not exist; no ${protocol.toUpperCase()} services`,
    );
    return [];
  }
  const say = (message: string) => warn(found.object, message);
  const documents: TranslatedDocument[] = [];
  for (const [key, value] of found.data) {
    const listenPort = Number(key);
    if (!/^\d+$/.test(key) || listenPort < 1 || listenPort > 65_535) {
      say(`key ${JSON.stringify(key)} ignored: must be a port from 1 to 65535`);
      continue;
    }
    const m = ENTRY.exec(value.trim());
    if (!m) {
      say(`port ${key} ignored: must be "namespace/service:port[:PROXY[:PROXY]]", got ${JSON.stringify(value)}`);
      continue;
    }
    const [, namespace, , name, , port, decode, encode] = m;
    if (protocol === 'udp' && (decode || encode)) say(`port ${key}: PROXY protocol is TCP only; ignored for UDP`);
    const backendPort = /^\d+$/.test(port!) ? { number: Number(port) } : { name: port };
    const upstream = resolveServiceUpstream(resources, namespace!, { name: name!, port: backendPort }, (message) => say(`port ${key}: ${message}`));
    const doc: StreamRoute = {
      id: shortHash(`${protocol}-services/${key}`),
      name: `${protocol}-services/${key} → ${namespace}/${name}:${port}`,
      owner: upstream.owner as StreamRoute['owner'],
      protocol,
      listenPort,
      upstream: { nodes: upstream.nodes, ...upstream.balancing },
      ...(protocol === 'tcp' && decode ? { acceptProxyProtocol: true } : {}),
      ...(protocol === 'tcp' && encode ? { proxyProtocol: 'v1' as const } : {}),
    };
    const issues = validateDocument(kindByCollection('stream-routes')!, doc);
    if (issues.length) {
      say(`port ${key} left out: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
      continue;
    }
    documents.push({ collection: 'stream-routes', doc: doc as TranslatedDocument['doc'] });
  }
  return documents;
}
