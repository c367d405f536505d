// The `gateway` subcommands: what each does, the flags it takes, and the module that runs it
// (one module per command, loaded only when that command runs). To add a command, add its
// module under bin/lib/ and one entry here; help, flag checks and shell completion follow.

const ETCD = ['etcd', 'prefix', 'etcd-user', 'etcd-password', 'etcd-cacert', 'etcd-cert', 'etcd-key'];
const TRANSLATE = [
  'ingress-class',
  'controller-name',
  'watch-ingress-without-class',
  'default-backend-service',
  'configmap',
  'tcp-services-configmap',
  'udp-services-configmap',
  'gateway-address-pool',
];
const KUBERNETES = ['kubernetes', 'kubeconfig', 'leader-election-namespace', 'publish-status-address', 'publish-service'];
const ADMIN_CLIENT = ['admin-url', 'admin-port', 'admin-key', 'data-dir'];
const CONTROL_PLANE = [
  ...ETCD,
  'host',
  'admin-port',
  'admin-key',
  'viewer-key',
  'status-port',
  'manifests',
  ...KUBERNETES,
  ...TRANSLATE,
  'https-port',
  'plugins-dir',
  'log-level',
];
const DATA_PLANE = [
  ...ETCD,
  'host',
  'http-port',
  'https-port',
  'port-map',
  'status-port',
  'workers',
  'data-dir',
  'drain-seconds',
  'plugins-dir',
  'log-level',
  'escaped-slashes',
  'disable-merge-slashes',
  'headers-with-underscores',
];

/**
 * name → {summary, usage, flags, details?, load}. `flags` are the command's own flags (--help
 * lists them; --config and --help go with every command); `details` are extra help lines.
 */
export const COMMANDS = {
  up: {
    summary: 'etcd (found or started locally), control plane, data plane and dashboard on this machine',
    usage: 'gateway up [flags]',
    flags: [...new Set([...CONTROL_PLANE, ...DATA_PLANE, 'no-example'])],
    details: ["The control plane's status port is the data plane's --status-port + 1 (0 when that is 0); both are printed."],
    load: () => import('./up.mjs'),
  },
  'control-plane': {
    summary: 'admin API and dashboard, and the Kubernetes/manifest translator',
    usage: 'gateway control-plane [flags]',
    flags: CONTROL_PLANE,
    details: ['--status-port serves /healthz, /readyz and /metrics.'],
    load: () => import('./control-plane.mjs'),
  },
  'data-plane': {
    summary: 'the proxy: a primary and N workers watching etcd',
    usage: 'gateway data-plane [flags]',
    flags: [...DATA_PLANE, 'check'],
    details: [
      'Environment:',
      '  GATEWAY_FRONT=node   serve clients with node:http instead of the raw llhttp front (a fallback:',
      '                       same routing and plugins, slower per request)',
    ],
    load: () => import('./data-plane.mjs'),
  },
  get: {
    summary: 'print documents through the admin API',
    usage: 'gateway get <type> [id] [-o table|wide|json|yaml|name]',
    flags: [...ADMIN_CLIENT, 'output'],
    details: [
      'Types: routes, upstreams, ssls, stream-routes, listeners, consumers, plugin-configs, global-rules, dataplanes',
      '(singular names work too). -o yaml and -o json print {collection, id, document} items, which',
      'apply -f takes back unchanged; -o name prints <type>/<id> lines.',
    ],
    load: () => import('./get.mjs'),
  },
  apply: {
    summary: 'create or update the documents of a file in one transaction',
    usage: 'gateway apply -f FILE [--dry-run]',
    flags: [...ADMIN_CLIENT, 'file', 'dry-run'],
    details: [
      'FILE (- for standard input) holds what `gateway get -o yaml|json` and the admin export print. Each document is reported as created, configured or unchanged; on any error nothing is written.',
    ],
    load: () => import('./apply.mjs'),
  },
  diff: {
    summary: 'show how the documents of a file differ from what the admin API holds',
    usage: 'gateway diff -f FILE',
    flags: [...ADMIN_CLIENT, 'file'],
    details: ['Exit status, as kubectl diff: 0 no differences, 1 differences, 2 usage error, 3 other failure.'],
    load: () => import('./diff.mjs'),
  },
  delete: {
    summary: 'delete one document',
    usage: 'gateway delete <type> <id>',
    flags: ADMIN_CLIENT,
    load: () => import('./delete.mjs'),
  },
  translate: {
    summary: 'print the documents and warnings a folder of Ingress and Gateway API manifests becomes (writes nothing)',
    usage: 'gateway translate -f DIR',
    flags: ['file', 'manifests', ...TRANSLATE, 'https-port'],
    load: () => import('./translate.mjs'),
  },
  webhook: {
    summary: 'validating admission webhook for Ingress, HTTPRoute and RoutePolicy (HTTPS)',
    usage: 'gateway webhook --webhook-cert FILE --webhook-key FILE [flags]',
    flags: ['webhook-port', 'webhook-cert', 'webhook-key', 'host', 'kubernetes', 'kubeconfig', 'manifests', ...TRANSLATE, 'https-port', 'log-level'],
    load: () => import('./webhook.mjs'),
  },
  import: {
    summary: 'an APISIX standalone file (apisix.yaml or its JSON form) into this gateway, all or nothing',
    usage: 'gateway import --from apisix FILE [--dry-run]',
    flags: [...ADMIN_CLIENT, 'from', 'file', 'dry-run'],
    details: [
      'Prints what each APISIX object becomes, or why it is refused (then nothing is written). docs/migrate-from-apisix.md lists every field and plugin.',
    ],
    load: () => import('./import.mjs'),
  },
  export: {
    summary: "this gateway's documents as an APISIX standalone file on standard output",
    usage: 'gateway export --to apisix',
    flags: [...ADMIN_CLIENT, 'to'],
    details: ['What APISIX cannot say is named on standard error.'],
    load: () => import('./export.mjs'),
  },
  completion: {
    summary: 'print a shell completion script (bash or zsh)',
    usage: 'gateway completion bash|zsh',
    flags: [],
    details: ['bash: source <(gateway completion bash)', 'zsh:  source <(gateway completion zsh)   (after compinit)'],
    load: () => import('./completion.mjs'),
  },
};

/** Flags every command takes. */
export const COMMON_FLAGS = ['config', 'help'];
