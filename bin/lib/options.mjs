// Flag parsing for every `gateway` subcommand. Precedence: command-line flag, then the
// GATEWAY_<FLAG> environment variable, then the YAML file given with --config (its
// `<command>:` section first), then the default.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { UsageError } from './usage-error.mjs';

/** name → [type, default, help]. Ports may be 0: the process then prints what it bound. */
export const FLAGS = {
  etcd: ['string', 'http://127.0.0.1:2379', 'etcd endpoints, comma-separated'],
  prefix: ['string', '/gateway', 'etcd key prefix'],
  'etcd-user': ['string', undefined, 'etcd user name (etcd auth); also --etcd-username'],
  'etcd-password': ['string', undefined, 'etcd password (etcd auth)'],
  'etcd-cacert': ['string', undefined, "CA file to verify etcd's certificate (https endpoints); also --etcd-ca"],
  'etcd-cert': ['string', undefined, 'client certificate file for etcd (mTLS)'],
  'etcd-key': ['string', undefined, 'client key file for etcd (mTLS)'],
  host: ['string', undefined, 'address to bind (default: all addresses)'],
  'http-port': ['string', '9080', 'HTTP proxy port'],
  'https-port': ['string', '9443', 'HTTPS proxy port'],
  'port-map': ['string', undefined, 'Gateway listener ports declared:bound, comma-separated (e.g. 80:18080,443:18443); unmapped ports bind as declared'],
  'admin-port': ['string', '9180', 'admin API and dashboard port'],
  'status-port': ['string', '9091', 'status port: /healthz /readyz /metrics /status'],
  workers: ['string', '0', 'data-plane worker processes (0 = one per core)'],
  manifests: ['string', undefined, 'folder of Kubernetes YAML manifests (standalone mode)'],
  kubernetes: [
    'boolean',
    false,
    'Kubernetes mode: watch the API server through --kubeconfig, else (in a pod) the service account, else the default kubeconfig ($KUBECONFIG, ~/.kube/config)',
  ],
  kubeconfig: ['string', undefined, 'kubeconfig file (Kubernetes mode; implies --kubernetes)'],
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
  'gateway-address-pool': ['string', undefined, 'IPv4 CIDR (e.g. 127.0.1.0/24) from which Gateways without spec.addresses get their address'],
  'plugins-dir': ['string', undefined, 'folder of custom plugins (*.mjs); a change there restarts workers one by one'],
  'admin-key': ['string', undefined, 'admin API key (X-API-Key); generated when missing'],
  'viewer-key': ['string', undefined, 'read-only admin API key'],
  'data-dir': ['string', '.data', 'local state: etcd data (gateway up), config cache'],
  'log-level': [
    'string',
    undefined,
    'JSON log level of every process: fatal, error, warn, info, debug, trace or silent (default: info in the data plane, warn in the control plane)',
  ],
  'drain-seconds': ['string', '30', 'SIGTERM grace period for in-flight requests and WebSockets'],
  'escaped-slashes': [
    'string',
    'redirect',
    'data-plane: a path with %2F or %5C is redirected to its decoded, normalized path (redirect), refused (reject), kept as written (keep) or decoded (decode); a client-traffic global rule overrides it (docs/security.md)',
  ],
  'disable-merge-slashes': ['boolean', false, 'data-plane: keep repeated slashes in paths instead of merging them before matching and forwarding'],
  'headers-with-underscores': [
    'string',
    'drop',
    'data-plane: request headers whose name has an underscore are dropped (drop, as nginx), allowed (allow) or refused with 400 (reject)',
  ],
  'admin-url': ['string', undefined, 'admin API URL (default http://127.0.0.1:<admin-port>)'],
  file: ['string', undefined, 'file of documents (- for standard input), or for translate a folder or file of manifests'],
  output: ['string', undefined, 'output format: table (default), wide, json, yaml or name'],
  'dry-run': ['boolean', false, 'show what would change; write nothing'],
  config: ['string', undefined, 'YAML config file with any of these flags'],
  'no-example': ['boolean', false, 'gateway up: do not create the example route'],
  check: ['boolean', false, 'data-plane: load and compile every document from etcd, print a summary and exit (0 ok, 1 rejected documents, 2 etcd unreachable)'],
  'webhook-port': ['string', '8443', 'webhook: HTTPS port of the validating admission webhook'],
  'webhook-cert': ['string', undefined, 'webhook: PEM certificate file the API server verifies (caBundle)'],
  'webhook-key': ['string', undefined, 'webhook: PEM key file of --webhook-cert'],
  from: ['string', undefined, 'import: the format of the file (apisix: a standalone apisix.yaml or its JSON form)'],
  to: ['string', undefined, 'export: the format written to standard output (apisix: a standalone apisix.yaml)'],
  help: ['boolean', false, 'show help'],
  version: ['boolean', false, 'print the version'],
};

/** One-letter spellings on the command line. */
const SHORT = { file: 'f', help: 'h', output: 'o' };

/** Defaults that differ by command: the control plane's status port sits next to the data plane's. */
export const COMMAND_DEFAULTS = { 'control-plane': { 'status-port': '9092' } };

/** Flags that make sense only typed: GATEWAY_HELP or a `version:` key must not change what a command does. */
const COMMAND_LINE_ONLY = ['help', 'version'];

/** Older names still accepted on the command line, in GATEWAY_* variables and in the config file. */
export const FLAG_ALIASES = { 'etcd-username': 'etcd-user', 'etcd-ca': 'etcd-cacert' };

/** Subcommands that may have their own section in the config file (it overrides the top level). */
export const COMMAND_SECTIONS = ['up', 'control-plane', 'data-plane', 'get', 'apply', 'diff', 'delete', 'translate', 'webhook'];

/** Numeric flags and their range; a bad value is refused before anything starts. */
const INTEGER_FLAGS = ['http-port', 'https-port', 'admin-port', 'status-port', 'workers', 'drain-seconds'];

/** pino's levels, which every process logs with. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Hands --log-level to the loggers. They are made inside the packages (and in forked data-plane
 * workers, which inherit the environment) from GATEWAY_LOG_LEVEL, the flag's own variable, so
 * setting it before anything starts reaches every one of them. A level pino does not know is
 * refused here, before anything starts, rather than by the first logger made.
 */
export function applyLogLevel(o) {
  const level = o['log-level'];
  if (level === undefined) return;
  if (!LOG_LEVELS.includes(level))
    throw new UsageError(`--log-level (or GATEWAY_LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  process.env.GATEWAY_LOG_LEVEL = level;
}

export const envName = (flag) => `GATEWAY_${flag.toUpperCase().replace(/-/g, '_')}`;

/**
 * Parses a subcommand's flags. Precedence: command-line flag, then GATEWAY_<FLAG> environment
 * variable, then the --config YAML file (its `<command>:` section before its top level), then
 * the default. Throws (the CLI exits 2) on an unknown flag, an unknown config key or a bad value.
 */
export function parseOptions(argv, { command, env = process.env } = {}) {
  const { values: given, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(
      [...Object.entries(FLAGS), ...Object.entries(FLAG_ALIASES).map(([alias, name]) => [alias, FLAGS[name]])].map(([name, [type]]) => [
        name,
        { type, ...(SHORT[name] ? { short: SHORT[name] } : {}) },
      ]),
    ),
  });
  const values = withCanonicalNames(given, '--');
  const fromEnv = envValues(env);
  const configFile = values.config ?? fromEnv.config;
  const fromFile = configFile ? readConfigFile(configFile, command) : {};
  const sourceOf = (name) => (values[name] !== undefined ? 'flag' : fromEnv[name] !== undefined ? 'env' : fromFile[name] !== undefined ? 'file' : 'default');
  const out = { positionals, explicit: new Set(Object.keys(values)), sources: {} };
  for (const [name, [type, flagDefault]] of Object.entries(FLAGS)) {
    const def = COMMAND_DEFAULTS[command]?.[name] ?? flagDefault;
    const source = sourceOf(name);
    const raw = source === 'flag' ? values[name] : source === 'env' ? fromEnv[name] : source === 'file' ? fromFile[name] : def;
    out.sources[name] = source;
    out[name] = source === 'default' ? raw : coerce(name, type, raw, describeSource(source, name, configFile));
  }
  for (const name of INTEGER_FLAGS) {
    const n = Number(out[name]);
    if (out[name] === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
      throw new Error(`${describeSource(out.sources[name], name, configFile)} must be an integer between 0 and 65535, got ${JSON.stringify(out[name])}`);
    }
    out[name] = n;
  }
  out.etcdEndpoints = String(out.etcd)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  out.etcdExplicit = out.sources.etcd !== 'default';
  return out;
}

/** Maps alias keys to their flag name; giving both spellings is a mistake worth saying. */
function withCanonicalNames(values, how) {
  const out = {};
  for (const [key, value] of Object.entries(values)) {
    const name = FLAG_ALIASES[key] ?? key;
    if (out[name] !== undefined && value !== out[name]) throw new Error(`${how}${key} and ${how}${name} are the same setting; give one`);
    out[name] = value;
  }
  return out;
}

function envValues(env) {
  const out = {};
  for (const name of [...Object.keys(FLAGS), ...Object.keys(FLAG_ALIASES)]) {
    if (COMMAND_LINE_ONLY.includes(name)) continue;
    const value = env[envName(name)];
    if (value === undefined) continue;
    const flag = FLAG_ALIASES[name] ?? name;
    if (out[flag] === undefined || name === flag) out[flag] = value;
  }
  return out;
}

function describeSource(source, name, configFile) {
  if (source === 'env') return `environment variable ${envName(name)}`;
  if (source === 'file') return `"${name}" in ${configFile}`;
  return `--${name}`;
}

/** Strings from env and YAML scalars become the flag's type; anything else is an error. */
function coerce(name, type, raw, where) {
  if (type === 'boolean') {
    if (raw === true || raw === false) return raw;
    if (typeof raw === 'string' && /^(true|1|yes)$/i.test(raw)) return true;
    if (typeof raw === 'string' && /^(false|0|no|)$/i.test(raw)) return false;
    throw new Error(`${where} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (Array.isArray(raw) && name === 'etcd' && raw.every((v) => typeof v === 'string')) return raw.join(',');
  if (typeof raw === 'string' || typeof raw === 'number') return String(raw);
  throw new Error(`${where} must be a string${INTEGER_FLAGS.includes(name) ? ' or a number' : ''}, got ${JSON.stringify(raw)}`);
}

/**
 * The config file's settings for `command`: top-level flag keys, overridden by the keys of
 * the `<command>:` section. Keys are flag names (kebab-case; camelCase is accepted too).
 */
export function readConfigFile(file, command) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${file}: ${err.code ?? err.message}`);
  }
  let doc;
  try {
    doc = YAML.parse(text) ?? {};
  } catch (err) {
    throw new Error(`config file ${file} is not valid YAML: ${err.message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`config file ${file} must be a mapping of flag names to values`);
  const top = {};
  const sections = {};
  for (const [key, value] of Object.entries(doc)) {
    if (COMMAND_SECTIONS.includes(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) sections[key] = value;
    else top[key] = value;
  }
  const settings = (obj, where) => {
    const out = {};
    for (const [key, value] of Object.entries(obj)) {
      const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const name = FLAG_ALIASES[kebab] ?? kebab;
      if (!(name in FLAGS) || name === 'config' || COMMAND_LINE_ONLY.includes(name)) {
        throw new Error(
          `unknown key "${key}"${where} in config file ${file}; keys are flag names (see gateway --help)${COMMAND_SECTIONS.includes(key) ? ' or command sections holding a mapping' : ''}`,
        );
      }
      out[name] = value;
    }
    return out;
  };
  const merged = settings(top, '');
  for (const [section, obj] of Object.entries(sections)) {
    const s = settings(obj, ` (in section "${section}")`);
    if (section === command) Object.assign(merged, s);
  }
  return merged;
}

/** The EtcdConnectionOptions (model/src/etcd-connection.ts) every process takes. */
export function etcdConnection(o) {
  return {
    etcd: o.etcdEndpoints,
    prefix: o.prefix,
    etcdUsername: o['etcd-user'],
    etcdPassword: o['etcd-password'],
    etcdCa: o['etcd-cacert'],
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
    clientTraffic: clientTrafficFlags(o),
    ...extra,
  };
}

/** The data plane's client-traffic defaults from flags; a bad value is refused before anything starts. */
function clientTrafficFlags(o) {
  const oneOf = (name, allowed) => {
    if (!allowed.includes(o[name])) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(o[name])}`);
    return o[name];
  };
  return {
    escapedSlashes: oneOf('escaped-slashes', ['redirect', 'reject', 'keep', 'decode']),
    mergeSlashes: !o['disable-merge-slashes'],
    headersWithUnderscores: oneOf('headers-with-underscores', ['drop', 'allow', 'reject']),
  };
}
