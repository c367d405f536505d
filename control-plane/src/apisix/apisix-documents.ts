import { checkFields, metaOf, type FieldTable } from './apisix-fields.js';
import { fieldPath, isPlainObject, type IssueList } from './apisix-issue.js';
import { pluginsToApisix, pluginsToSluice } from './apisix-plugins.js';
import { UPSTREAM_FIELDS, upstreamToApisix, upstreamToSluice } from './apisix-upstream.js';

type Obj = Record<string, any>;

export const CONSUMER_FIELDS: FieldTable = {
  username: { support: 'supported', doc: 'The key of the document.' },
  plugins: { support: 'partly', doc: 'Credentials (key-auth `key`, basic-auth `username`/`password`, jwt-auth `key`/`secret`/...) and per-consumer plugins.' },
  group_id: { support: 'refused', doc: 'Consumer groups are not supported: put the plugins on the consumer.' },
};

export const SSL_FIELDS: FieldTable = {
  cert: { support: 'supported', doc: '' },
  key: { support: 'supported', doc: 'Write-only: answers leave it out, as APISIX does.' },
  snis: { support: 'supported', doc: '' },
  sni: { support: 'supported', doc: 'The older single-name form; exported as `snis`.' },
  client: { support: 'partly', doc: '`client.ca` → `clientCa` (mTLS); `client.depth` and `client.skip_mtls_uri_regex` are refused.' },
  type: { support: 'partly', doc: "`server` only; client certificates for upstreams go inline in the upstream's `tls`." },
  status: { support: 'supported', doc: '1 / 0 → enabled / disabled.' },
  certs: { support: 'refused', doc: 'One certificate per document: add another ssl document for the other key type.' },
  keys: { support: 'refused', doc: 'See certs.' },
  ssl_protocols: { support: 'refused', doc: 'TLS 1.2 and 1.3 are always on, older versions never.' },
};

export const STREAM_ROUTE_FIELDS: FieldTable = {
  server_port: { support: 'supported', doc: '`listenPort`; required (Sluice listens where stream routes say).' },
  remote_addr: { support: 'supported', doc: '`remoteAddrs` allow list.' },
  upstream: { support: 'partly', doc: 'Its `scheme` `udp` makes a UDP route (tcp otherwise); see the upstream table.' },
  upstream_id: { support: 'supported', doc: '' },
  plugins: { support: 'partly', doc: 'Stream plugins Sluice has.' },
  server_addr: { support: 'refused', doc: 'Routes are per port: bind the data plane to the address with --host.' },
  sni: {
    support: 'refused',
    doc: "APISIX terminates TLS for such routes; Sluice's SNI stream routes pass TLS through. Terminate TLS with an HTTPS route, or pass through with a `tls` stream route written in Sluice's form.",
  },
  service_id: { support: 'refused', doc: 'Services carry HTTP route settings only.' },
  protocol: { support: 'refused', doc: 'xRPC protocols (redis, dubbo) are not supported.' },
};

export const PLUGINS_ONLY_FIELDS: FieldTable = { plugins: { support: 'partly', doc: 'Per plugin, see the plugin table.' } };

export { UPSTREAM_FIELDS };

export function upstreamDocToSluice(doc: Obj, issues: IssueList): Obj {
  return { ...metaOf(doc), ...upstreamToSluice(doc, '', issues) };
}

export function upstreamDocToApisix(doc: Obj): Obj {
  return { ...metaOf(doc), ...upstreamToApisix(doc as never) };
}

export function consumerToSluice(doc: Obj, id: string, issues: IssueList): Obj {
  checkFields(doc, CONSUMER_FIELDS, '', issues, 'consumer');
  if (doc.username !== undefined && String(doc.username) !== id) issues.add('username', `is ${JSON.stringify(doc.username)}, not ${id}`);
  const plugins = pluginsToSluice(doc.plugins, 'plugins', issues, 'consumer');
  return { ...metaOf(doc), username: id, ...(plugins ? { plugins } : {}) };
}

export function consumerToApisix(doc: Obj, unsaid: (what: string) => void): Obj {
  const plugins = pluginsToApisix(doc.plugins, 'consumer', unsaid);
  return { username: doc.username, ...metaOf(doc), ...(plugins ? { plugins } : {}) };
}

export function sslToSluice(doc: Obj, issues: IssueList): Obj {
  checkFields(doc, SSL_FIELDS, '', issues, 'ssl');
  if (doc.type !== undefined && doc.type !== 'server')
    issues.add('type', `${JSON.stringify(doc.type)} is not supported: only server certificates (an upstream's client certificate goes inline in its tls)`);
  if (isPlainObject(doc.client)) {
    for (const key of Object.keys(doc.client))
      if (key !== 'ca') issues.add(fieldPath('client', key), 'is not supported: Sluice checks client certificates against client.ca only');
  }
  const snis = doc.snis ?? (doc.sni !== undefined ? [doc.sni] : undefined);
  return {
    ...metaOf(doc),
    ...(snis ? { snis } : {}),
    cert: doc.cert,
    key: doc.key,
    ...(doc.client?.ca !== undefined ? { clientCa: doc.client.ca } : {}),
    ...(doc.status !== undefined ? { status: doc.status === 0 ? 'disabled' : 'enabled' } : {}),
  };
}

export function sslToApisix(doc: Obj, unsaid: (what: string) => void): Obj {
  if (doc.clientVerify !== undefined) unsaid('clientVerify');
  return {
    ...metaOf(doc),
    snis: doc.snis,
    cert: doc.cert,
    ...(doc.key !== undefined ? { key: doc.key } : {}),
    ...(doc.clientCa !== undefined ? { client: { ca: doc.clientCa } } : {}),
    ...(doc.status !== undefined ? { status: doc.status === 'disabled' ? 0 : 1 } : {}),
  };
}

export function streamRouteToSluice(doc: Obj, issues: IssueList): Obj {
  checkFields(doc, STREAM_ROUTE_FIELDS, '', issues, 'stream route');
  if (doc.server_port === undefined) issues.add('server_port', 'is required: Sluice opens the ports its stream routes name');
  const { scheme, ...upstream } = (doc.upstream ?? {}) as Obj;
  if (scheme !== undefined && !['tcp', 'udp'].includes(scheme))
    issues.add(fieldPath('upstream', 'scheme'), `${JSON.stringify(scheme)} is not supported on a stream route: tcp or udp`);
  const plugins = pluginsToSluice(doc.plugins, 'plugins', issues, 'stream-route');
  return {
    ...metaOf(doc),
    protocol: scheme === 'udp' ? 'udp' : 'tcp',
    listenPort: doc.server_port,
    ...(doc.remote_addr !== undefined ? { remoteAddrs: [doc.remote_addr] } : {}),
    ...(doc.upstream_id !== undefined ? { backends: [{ upstreamId: String(doc.upstream_id) }] } : {}),
    ...(doc.upstream !== undefined ? { upstream: upstreamToSluice(upstream, 'upstream', issues) } : {}),
    ...(plugins && Object.keys(plugins).length ? { plugins } : {}),
  };
}

export function streamRouteToApisix(doc: Obj, unsaid: (what: string) => void): Obj {
  if (doc.protocol === 'tls') unsaid(`tls (SNI passthrough) stream route on port ${doc.listenPort}`);
  if ((doc.remoteAddrs ?? []).length > 1) unsaid('remoteAddrs beyond the first');
  for (const field of ['timeout', 'proxyProtocol', 'acceptProxyProtocol', 'listener'] as const) if (doc[field] !== undefined) unsaid(field);
  const plugins = pluginsToApisix(doc.plugins, 'stream-route', unsaid);
  return {
    ...metaOf(doc),
    server_port: doc.listenPort,
    ...(doc.remoteAddrs?.length ? { remote_addr: doc.remoteAddrs[0] } : {}),
    ...(doc.backends?.length ? { upstream_id: doc.backends[0].upstreamId } : {}),
    ...(doc.upstream ? { upstream: { ...upstreamToApisix(doc.upstream), ...(doc.protocol === 'udp' ? { scheme: 'udp' } : {}) } } : {}),
    ...(plugins && Object.keys(plugins).length ? { plugins } : {}),
  };
}

/** global_rules and plugin_configs: plugins (and a plugin config's meta). */
export function pluginsDocToSluice(doc: Obj, issues: IssueList, attachment: 'global-rule' | 'plugin-config'): Obj {
  checkFields(doc, PLUGINS_ONLY_FIELDS, '', issues, attachment === 'global-rule' ? 'global rule' : 'plugin config');
  return { ...metaOf(doc), plugins: pluginsToSluice(doc.plugins ?? {}, 'plugins', issues, attachment) ?? {} };
}

export function pluginsDocToApisix(doc: Obj, attachment: 'global-rule' | 'plugin-config', unsaid: (what: string) => void): Obj {
  return { ...metaOf(doc), plugins: pluginsToApisix(doc.plugins, attachment, unsaid) ?? {} };
}
