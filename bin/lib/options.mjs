// Flag parsing for every `gateway` subcommand. Precedence: command-line flag, then the
// GATEWAY_<FLAG> environment variable, then the YAML file given with --config, then the default.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';

/** name → [type, default, help]. Ports may be 0: the process then prints what it bound. */
export const FLAGS = {
  etcd: ['string', 'http://127.0.0.1:2379', 'etcd endpoints, comma-separated'],
  prefix: ['string', '/gateway', 'etcd key prefix'],
  'etcd-username': ['string', undefined, 'etcd user (auth)'],
  'etcd-password': ['string', undefined, 'etcd password (auth)'],
  'etcd-ca': ['string', undefined, 'CA file to verify etcd (TLS)'],
  'etcd-cert': ['string', undefined, 'client certificate file for etcd (mTLS)'],
  'etcd-key': ['string', undefined, 'client key file for etcd (mTLS)'],
  host: ['string', undefined, 'address to bind (default: all addresses)'],
  'http-port': ['string', '9080', 'HTTP proxy port'],
  'https-port': ['string', '9443', 'HTTPS proxy port'],
  'admin-port': ['string', '9180', 'admin API and dashboard port'],
  'status-port': ['string', '9091', 'status port: /healthz /readyz /metrics /status'],
  workers: ['string', '0', 'data-plane worker processes (0 = one per core)'],
  manifests: ['string', undefined, 'folder of Kubernetes YAML manifests (standalone mode)'],
  kubeconfig: ['string', undefined, 'kubeconfig file (Kubernetes mode)'],
  'ingress-class': ['string', 'sluice', 'IngressClass name served'],
  'controller-name': ['string', 'sluice.dev/gateway-controller', 'controller name of our IngressClass and GatewayClass'],
  'watch-ingress-without-class': ['boolean', false, 'also serve Ingresses that name no class'],
  'default-backend-service': ['string', undefined, 'namespace/name[:port] of the Service for requests no Ingress rule matches'],
  configmap: ['string', undefined, 'namespace/name of an ingress-nginx style ConfigMap of global settings'],
  'tcp-services-configmap': ['string', undefined, 'namespace/name of a ConfigMap "port": "namespace/service:port[:PROXY[:PROXY]]" of TCP services'],
  'udp-services-configmap': ['string', undefined, 'namespace/name of a ConfigMap "port": "namespace/service:port" of UDP services'],
  'leader-election-namespace': ['string', 'default', 'namespace of the leader-election Lease (Kubernetes mode)'],
  'publish-status-address': ['string', undefined, 'comma-separated IPs/hostnames written into Ingress status (Kubernetes mode)'],
  'publish-service': ['string', undefined, 'namespace/name of the Service whose address goes into Ingress status (Kubernetes mode)'],
  'plugins-dir': ['string', undefined, 'folder of custom plugins (*.mjs); a change there restarts workers one by one'],
  'admin-key': ['string', undefined, 'admin API key (X-API-Key); generated when missing'],
  'viewer-key': ['string', undefined, 'read-only admin API key'],
  'data-dir': ['string', '.data', 'local state: etcd data (gateway up), config cache'],
  'drain-seconds': ['string', '30', 'SIGTERM grace period for in-flight requests and WebSockets'],
  'admin-url': ['string', undefined, 'admin API URL for get/apply (default http://127.0.0.1:<admin-port>)'],
  file: ['string', undefined, 'file for apply (-f), folder or file for translate (-f)'],
  config: ['string', undefined, 'YAML config file with any of these flags'],
  'no-example': ['boolean', false, 'gateway up: do not create the example route'],
  help: ['boolean', false, 'show help'],
};

const envName = (flag) => `GATEWAY_${flag.toUpperCase().replace(/-/g, '_')}`;

export function parseOptions(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(
      Object.entries(FLAGS).map(([name, [type]]) => [name, { type, ...(name === 'file' ? { short: 'f' } : name === 'help' ? { short: 'h' } : {}) }]),
    ),
  });
  const configFile = values.config ?? process.env.GATEWAY_CONFIG;
  const fromFile = configFile ? YAML.parse(fs.readFileSync(configFile, 'utf8')) ?? {} : {};
  const get = (name) => {
    if (values[name] !== undefined) return values[name];
    if (process.env[envName(name)] !== undefined) return process.env[envName(name)];
    const camel = name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (fromFile[name] !== undefined) return fromFile[name];
    if (fromFile[camel] !== undefined) return fromFile[camel];
    return FLAGS[name][1];
  };
  const out = { positionals, explicit: new Set(Object.keys(values)) };
  for (const name of Object.keys(FLAGS)) out[name] = get(name);
  for (const name of ['http-port', 'https-port', 'admin-port', 'status-port', 'workers', 'drain-seconds']) {
    const n = Number(out[name]);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be an integer between 0 and 65535, got ${out[name]}`);
    out[name] = n;
  }
  out.etcdEndpoints = String(out.etcd).split(',').map((s) => s.trim()).filter(Boolean);
  out.etcdExplicit = values.etcd !== undefined || process.env.GATEWAY_ETCD !== undefined || fromFile.etcd !== undefined;
  return out;
}

export function usage() {
  const lines = [
    'Usage: gateway <command> [flags]',
    '',
    'Commands:',
    '  up               etcd (found or started locally), control plane, data plane and dashboard on this machine',
    '  control-plane    admin API and dashboard (and the Kubernetes/manifest translator)',
    '  data-plane       the proxy: a primary and N workers watching etcd',
    '  get <type> [id]  print documents through the admin API (types: routes, upstreams, ssls, ...)',
    '  apply -f FILE    create or replace the documents in a YAML/JSON file through the admin API',
    '  translate -f DIR print the documents and warnings a folder of Ingress manifests becomes (writes nothing)',
    '  delete <type> <id>',
    '',
    'Flags (also GATEWAY_<FLAG> environment variables, or keys of a --config YAML file):',
  ];
  for (const [name, [type, def, help]] of Object.entries(FLAGS)) {
    lines.push(`  --${name}${type === 'string' ? ' VALUE' : ''}`.padEnd(37) + help + (def !== undefined && def !== false ? ` (default ${def})` : ''));
  }
  return lines.join('\n');
}

/** The EtcdConnectionOptions (model/src/etcd-connection.ts) every process takes. */
export function etcdConnection(o) {
  return {
    etcd: o.etcdEndpoints,
    prefix: o.prefix,
    etcdUsername: o['etcd-username'],
    etcdPassword: o['etcd-password'],
    etcdCa: o['etcd-ca'],
    etcdCert: o['etcd-cert'],
    etcdKey: o['etcd-key'],
  };
}

export function dataPlaneOptions(o, extra = {}) {
  return {
    ...etcdConnection(o),
    host: o.host,
    httpPort: o['http-port'],
    httpsPort: o['https-port'],
    statusPort: o['status-port'],
    workers: o.workers,
    cacheDir: `${o['data-dir']}/cache`,
    drainSeconds: o['drain-seconds'],
    pluginsDir: o['plugins-dir'] ? path.resolve(o['plugins-dir']) : undefined,
    ...extra,
  };
}
