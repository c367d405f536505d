import type { PathMatch } from '@sluice/model';
import { checkFields, metaOf, type FieldTable } from './apisix-fields.js';
import { isPlainObject, type IssueList } from './apisix-issue.js';
import { pluginsToApisix, pluginsToSluice } from './apisix-plugins.js';
import { upstreamToApisix, upstreamToSluice } from './apisix-upstream.js';
import { pathToUri, uriToPath } from './apisix-uri.js';
import { matchesToVars, SUPPORTED_VARS, varsToMatches } from './apisix-vars.js';

type Obj = Record<string, any>;

/**
 * `remote_addrs` is a match condition in APISIX (other clients fall through to other routes or
 * 404). Sluice routes do not match on the client address, so it becomes an ip-restriction that
 * answers what an unmatched request gets (404 Not Found); this exact config is read back as
 * `remote_addrs` on export.
 */
const REMOTE_ADDRS_AS = { rejectedCode: 404, message: 'Not Found' } as const;

export const ROUTE_FIELDS: FieldTable = {
  uri: {
    support: 'partly',
    doc: '`/a` exact; `/a/*` the segment-aware prefix `/a` (which also matches `/a` itself); `*` elsewhere and `:param` segments a regex on the whole path; exported back the same way.',
  },
  uris: { support: 'partly', doc: 'Each as `uri`.' },
  host: { support: 'supported', doc: 'Exact or `*.suffix` (any depth, as APISIX).' },
  hosts: { support: 'supported', doc: 'As `host`; exported as `hosts`.' },
  methods: { support: 'supported', doc: '' },
  remote_addr: { support: 'partly', doc: 'See remote_addrs.' },
  remote_addrs: {
    support: 'partly',
    doc: 'An `ip-restriction` allow list answering 404 Not Found, as an unmatched request: the same for a client outside the list, except that the request does not fall through to another route with the same uri. Exported back as `remote_addrs`.',
  },
  vars: {
    support: 'partly',
    doc: `${SUPPORTED_VARS}; other variables, operators and nested expressions are refused. \`["uri", "~~", re]\` with uri \`/*\` is a regex path.`,
  },
  priority: {
    support: 'supported',
    doc: 'Higher wins among routes matching alike; Sluice ranks by specificity first (exact, regex, longer prefix, more conditions), then priority.',
  },
  plugins: { support: 'partly', doc: 'Per plugin, see the plugin table.' },
  upstream: { support: 'partly', doc: 'See the upstream table.' },
  upstream_id: { support: 'supported', doc: '' },
  service_id: { support: 'supported', doc: '`serviceId` (a `services` document).' },
  plugin_config_id: { support: 'supported', doc: '' },
  timeout: { support: 'supported', doc: '' },
  enable_websocket: { support: 'supported', doc: "`websocket`. APISIX's default is off, Sluice's on: a route that does not say allows WebSocket." },
  status: { support: 'supported', doc: '1 / 0 → `status: enabled / disabled`.' },
  filter_func: { support: 'refused', doc: 'Lua code is not run by Sluice; express the condition with vars or write a custom plugin.' },
  script: { support: 'refused', doc: 'Lua code is not run by Sluice; write a custom plugin (--plugins-dir).' },
  script_id: { support: 'refused', doc: 'See script.' },
};

export const SERVICE_FIELDS: FieldTable = {
  hosts: { support: 'supported', doc: 'For routes that set none.' },
  upstream: { support: 'partly', doc: 'See the upstream table.' },
  upstream_id: { support: 'supported', doc: '' },
  plugins: { support: 'partly', doc: "Under the route's own and its plugin config's." },
  enable_websocket: { support: 'supported', doc: 'For routes that do not say.' },
  script: { support: 'refused', doc: 'Lua code is not run by Sluice.' },
};

/** An APISIX route → a Sluice route body. */
export function routeToSluice(doc: Obj, issues: IssueList): Obj {
  checkFields(doc, ROUTE_FIELDS, '', issues, 'route');
  if (doc.uri !== undefined && doc.uris !== undefined) issues.add('uris', 'cannot be used with uri');
  if (doc.host !== undefined && doc.hosts !== undefined) issues.add('hosts', 'cannot be used with host');
  const uris: unknown[] = doc.uris ?? (doc.uri !== undefined ? [doc.uri] : []);
  if (uris.length === 0) issues.add('uri', 'is required (or uris)');
  let paths: PathMatch[] = uris.filter((u): u is string => typeof u === 'string' && u.startsWith('/')).map(uriToPath);
  if (paths.length !== uris.length) issues.add(doc.uris ? 'uris' : 'uri', 'must be a path starting with /');

  const vars = doc.vars === undefined ? undefined : varsToMatches(doc.vars, 'vars', issues);
  if (vars?.uriRegex !== undefined) {
    if (uris.length === 1 && uris[0] === '/*') paths = [{ type: 'regex', value: fromSearch(vars.uriRegex) }];
    else issues.add('vars', '["uri", "~~", ...] needs uri "/*" (the regex is then the route\'s path)');
  }
  if (vars?.cookies.length) issues.add('vars', 'cookie_* variables are not supported on routes (only in traffic-split)');

  const hosts = doc.hosts ?? (doc.host !== undefined ? [doc.host] : undefined);
  const match: Obj = {
    ...(hosts ? { hosts } : {}),
    paths,
    ...(doc.methods ? { methods: doc.methods } : {}),
    ...(vars?.headers.length ? { headers: vars.headers } : {}),
    ...(vars?.query.length ? { query: vars.query } : {}),
  };
  const plugins = pluginsToSluice(doc.plugins, 'plugins', issues, 'route') ?? {};
  const remote = doc.remote_addrs ?? (doc.remote_addr !== undefined ? [doc.remote_addr] : undefined);
  if (remote) {
    if (plugins['ip-restriction'])
      issues.add(doc.remote_addrs ? 'remote_addrs' : 'remote_addr', 'cannot be combined with the ip-restriction plugin (Sluice carries it as one)');
    else plugins['ip-restriction'] = { whitelist: remote, ...REMOTE_ADDRS_AS };
  }
  return {
    ...metaOf(doc),
    match,
    ...(doc.priority !== undefined ? { priority: doc.priority } : {}),
    ...upstreamOf(doc, issues),
    ...(Object.keys(plugins).length ? { plugins } : {}),
    ...(doc.plugin_config_id !== undefined ? { pluginConfigId: String(doc.plugin_config_id) } : {}),
    ...(doc.service_id !== undefined ? { serviceId: String(doc.service_id) } : {}),
    ...(doc.timeout !== undefined ? { timeout: doc.timeout } : {}),
    ...(doc.enable_websocket !== undefined ? { websocket: doc.enable_websocket } : {}),
    ...(doc.status !== undefined ? { status: doc.status === 0 ? 'disabled' : 'enabled' } : {}),
  };
}

/** A Sluice route → an APISIX route; what APISIX cannot say is left out and reported to `unsaid`. */
export function routeToApisix(route: Obj, unsaid: (what: string) => void): Obj {
  const match = (route.match ?? {}) as Obj;
  const out: Obj = { ...metaOf(route) };
  const paths: PathMatch[] = match.paths ?? [{ type: 'prefix', value: '/' }];
  const uris = paths.map(pathToUri);
  let uriRegex: string | undefined;
  if (uris.every((u) => u !== undefined)) {
    if (uris.length === 1) out.uri = uris[0];
    else out.uris = uris;
  } else if (paths.length === 1) {
    out.uri = '/*';
    uriRegex = toSearch(paths[0]!.value);
  } else {
    out.uris = uris.filter((u) => u !== undefined);
    unsaid(
      `regex paths ${paths
        .filter((_, i) => uris[i] === undefined)
        .map((p) => p.value)
        .join(', ')} of a route with several paths`,
    );
  }
  if (match.hosts) out.hosts = match.hosts;
  if (match.methods) out.methods = match.methods;
  const vars = matchesToVars({ headers: match.headers, query: match.query, uriRegex }, unsaid);
  if (vars.length) out.vars = vars;
  const priority = match.priority ?? route.priority;
  if (priority !== undefined) out.priority = priority;
  Object.assign(out, upstreamToApisixFields(route, unsaid));
  const { 'ip-restriction': restriction, ...others } = (route.plugins ?? {}) as Obj;
  const isRemoteAddrs =
    isPlainObject(restriction) &&
    restriction.whitelist &&
    restriction.rejectedCode === REMOTE_ADDRS_AS.rejectedCode &&
    restriction.message === REMOTE_ADDRS_AS.message &&
    !restriction.blacklist;
  const plugins = pluginsToApisix(isRemoteAddrs ? others : route.plugins, 'route', unsaid);
  if (plugins && Object.keys(plugins).length) out.plugins = plugins;
  if (isRemoteAddrs) out.remote_addrs = restriction.whitelist;
  if (route.pluginConfigId !== undefined) out.plugin_config_id = route.pluginConfigId;
  if (route.serviceId !== undefined) out.service_id = route.serviceId;
  if (route.timeout) {
    const { request, ...timeout } = route.timeout as Obj;
    if (request !== undefined) unsaid('timeout.request');
    if (Object.keys(timeout).length) out.timeout = timeout;
  }
  if (route.websocket !== undefined) out.enable_websocket = route.websocket;
  if (route.status !== undefined) out.status = route.status === 'disabled' ? 0 : 1;
  if (match.hostWildcard === 'single-label') unsaid('single-label wildcard hosts (APISIX wildcards match any depth)');
  if (route.listeners) unsaid('listeners');
  if (match.precedenceKey !== undefined) unsaid('match.precedenceKey (APISIX breaks ties by priority alone)');
  return out;
}

export function serviceToSluice(doc: Obj, issues: IssueList): Obj {
  checkFields(doc, SERVICE_FIELDS, '', issues, 'service');
  const plugins = pluginsToSluice(doc.plugins, 'plugins', issues, 'route');
  return {
    ...metaOf(doc),
    ...(doc.hosts !== undefined ? { hosts: doc.hosts } : {}),
    ...upstreamOf(doc, issues),
    ...(plugins && Object.keys(plugins).length ? { plugins } : {}),
    ...(doc.enable_websocket !== undefined ? { websocket: doc.enable_websocket } : {}),
  };
}

export function serviceToApisix(service: Obj, unsaid: (what: string) => void): Obj {
  const plugins = pluginsToApisix(service.plugins, 'route', unsaid);
  return {
    ...metaOf(service),
    ...(service.hosts ? { hosts: service.hosts } : {}),
    ...upstreamToApisixFields(service, unsaid),
    ...(plugins && Object.keys(plugins).length ? { plugins } : {}),
    ...(service.websocket !== undefined ? { enable_websocket: service.websocket } : {}),
  };
}

/** `upstream_id` or an inline `upstream` (giving both is a mistake APISIX resolves silently; Sluice asks for one). */
function upstreamOf(doc: Obj, issues: IssueList): Obj {
  if (doc.upstream_id !== undefined && doc.upstream !== undefined) issues.add('upstream', 'cannot be used with upstream_id: give one');
  if (doc.upstream_id !== undefined) return { backends: [{ upstreamId: String(doc.upstream_id) }] };
  if (doc.upstream !== undefined) return { upstream: upstreamToSluice(doc.upstream, 'upstream', issues) };
  return {};
}

function upstreamToApisixFields(doc: Obj, unsaid: (what: string) => void): Obj {
  const backends = (doc.backends ?? []) as { upstreamId: string; weight?: number }[];
  if (backends.length > 1)
    unsaid(
      `weighted backends beyond the first (${backends
        .slice(1)
        .map((b) => b.upstreamId)
        .join(', ')}): use traffic-split`,
    );
  if (backends.length) return { upstream_id: backends[0]!.upstreamId };
  if (doc.upstream) return { upstream: upstreamToApisix(doc.upstream) };
  return {};
}

/** lua-resty-expr's `~~` searches; a Sluice path regex matches the whole path. */
function fromSearch(re: string): string {
  const anchored = /^\^(.*)\$$/s.exec(re);
  if (anchored && !hasTopLevelAlternation(anchored[1]!)) return anchored[1]!;
  return `.*(?:${re}).*`;
}

function toSearch(re: string): string {
  const search = /^\.\*\(\?:(.*)\)\.\*$/s.exec(re);
  if (search) return search[1]!;
  return hasTopLevelAlternation(re) ? `^(?:${re})$` : `^${re}$`;
}

/** Whether `re` has a `|` outside every group and character class (anchoring it needs a group then). */
function hasTopLevelAlternation(re: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
