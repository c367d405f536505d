import type { InlineUpstream, UpstreamNode } from '@sluice/model';
import { camelToSnake, fieldPath, isPlainObject, snakeToCamel, type IssueList } from './apisix-issue.js';

type Obj = Record<string, any>;

/** APISIX upstream fields and what Sluice does with each (docs/migrate-from-apisix.md is generated from this). */
export const UPSTREAM_FIELDS: Record<string, { support: 'supported' | 'partly' | 'refused'; doc: string }> = {
  nodes: {
    support: 'supported',
    doc: 'A map `"host:port": weight` or a list of `{host, port, weight, priority}`; a node without a port takes 80 (443 for https/grpcs). Exported as a map, or a list when a node has a priority.',
  },
  type: { support: 'supported', doc: '`roundrobin`, `chash`, `least_conn`, `ewma`.' },
  hash_on: {
    support: 'partly',
    doc: '`vars` with key `remote_addr` or `uri`, `header`, `cookie`, `consumer`; other nginx variables and `vars_combinations` are refused. Exported with `hash_on` written out.',
  },
  key: { support: 'supported', doc: 'With hash_on.' },
  checks: {
    support: 'partly',
    doc: '`active` as in APISIX (except `concurrency`, `port`); `passive.unhealthy.http_statuses` and the failure count (`http_failures`, else `tcp_failures` / `timeouts`) eject a node for 10 s (`ejectSeconds`); `passive.healthy` is accepted but a node comes back by time, not by successes.',
  },
  retries: { support: 'supported', doc: 'Extra attempts on other nodes.' },
  retry_timeout: { support: 'supported', doc: '`retryTimeout`; 0 = none.' },
  timeout: { support: 'supported', doc: '`{connect, send, read}` seconds.' },
  scheme: { support: 'partly', doc: '`http`, `https`, `grpc`, `grpcs`; the L4 schemes (`tcp`, `udp`, `tls`) belong to stream routes and are refused here.' },
  pass_host: { support: 'supported', doc: '`pass`, `node`, `rewrite`.' },
  upstream_host: { support: 'supported', doc: 'With pass_host rewrite.' },
  keepalive_pool: { support: 'supported', doc: '`size`, `idle_timeout`, `requests`.' },
  tls: { support: 'partly', doc: '`client_cert`, `client_key`, `verify`; `client_cert_id` is refused (write the certificate inline).' },
  name: { support: 'supported', doc: '' },
  desc: { support: 'supported', doc: '' },
  labels: { support: 'supported', doc: '' },
  service_name: {
    support: 'refused',
    doc: 'Service discovery registries are not supported: list the nodes, or let Kubernetes fill them (Ingress, Gateway API).',
  },
  discovery_type: { support: 'refused', doc: 'See service_name.' },
  discovery_args: { support: 'refused', doc: 'See service_name.' },
  upstream_type: { support: 'refused', doc: 'Not supported.' },
};

const SCHEMES = new Set(['http', 'https', 'grpc', 'grpcs']);
const TYPES = new Set(['roundrobin', 'chash', 'least_conn', 'ewma']);
const CHECK_FIELDS = new Set(['type', 'timeout', 'http_path', 'host', 'https_verify_certificate', 'req_headers', 'healthy', 'unhealthy']);

/** An APISIX upstream body (inline or document) → Sluice's upstream fields. */
export function upstreamToSluice(u: Obj, at: string, issues: IssueList): InlineUpstream {
  const out: Obj = {};
  for (const [key, value] of Object.entries(u)) {
    const where = fieldPath(at, key);
    const declared = UPSTREAM_FIELDS[key];
    if (['id', 'name', 'desc', 'labels', 'create_time', 'update_time'].includes(key)) continue;
    if (!declared) issues.add(where, 'is not an APISIX upstream field Sluice knows');
    else if (declared.support === 'refused') issues.add(where, `is not supported: ${declared.doc}`);
  }
  const scheme = u.scheme ?? 'http';
  if (!SCHEMES.has(scheme))
    issues.add(
      fieldPath(at, 'scheme'),
      `${JSON.stringify(scheme)} is not supported here: use http, https, grpc or grpcs (tcp, udp and tls upstreams belong to stream routes)`,
    );
  else if (u.scheme !== undefined) out.scheme = scheme;
  out.nodes = nodesToSluice(u.nodes, scheme, fieldPath(at, 'nodes'), issues);
  if (u.type !== undefined) {
    if (TYPES.has(u.type)) out.type = u.type;
    else issues.add(fieldPath(at, 'type'), `${JSON.stringify(u.type)} is not supported: use roundrobin, chash, least_conn or ewma`);
  }
  // APISIX ignores hash_on and key unless the type is chash (its own examples set them to "").
  if (u.type === 'chash') Object.assign(out, hashToSluice(u, at, issues));
  for (const key of ['retries', 'timeout', 'pass_host', 'upstream_host'] as const) if (u[key] !== undefined) out[snakeToCamel(key)] = u[key];
  if (u.retry_timeout) out.retryTimeout = u.retry_timeout;
  if (u.keepalive_pool !== undefined) out.keepalivePool = camelKeys(u.keepalive_pool);
  if (u.tls !== undefined) {
    const { client_cert_id, ...tls } = u.tls as Obj;
    if (client_cert_id !== undefined)
      issues.add(fieldPath(fieldPath(at, 'tls'), 'client_cert_id'), 'is not supported: write client_cert and client_key inline');
    out.tls = camelKeys(tls);
  }
  if (u.checks !== undefined) out.checks = checksToSluice(u.checks, fieldPath(at, 'checks'), issues);
  return out as InlineUpstream;
}

function nodesToSluice(nodes: unknown, scheme: string, at: string, issues: IssueList): UpstreamNode[] {
  const defaultPort = scheme === 'https' || scheme === 'grpcs' ? 443 : 80;
  if (Array.isArray(nodes)) {
    return nodes.map((n: Obj) => ({ host: n.host, port: n.port ?? defaultPort, weight: n.weight, ...(n.priority ? { priority: n.priority } : {}) }));
  }
  if (!isPlainObject(nodes)) {
    issues.add(at, 'is required: a map "host:port": weight or a list of {host, port, weight}');
    return [];
  }
  return Object.entries(nodes).map(([address, weight]) => {
    const m = /^\[(.+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
    const [host, port] = m ? [m[1]!, Number(m[2])] : [address.replace(/^\[(.*)\]$/, '$1'), defaultPort];
    return { host, port, weight: weight as number };
  });
}

function hashToSluice(u: Obj, at: string, issues: IssueList): Obj {
  const on = u.hash_on ?? 'vars';
  if (on === 'vars') {
    if (u.key === 'remote_addr' || u.key === 'uri') return { hashOn: u.key };
    issues.add(
      fieldPath(at, 'key'),
      `hashing on the nginx variable ${JSON.stringify(u.key)} is not supported: use remote_addr or uri (hash_on vars), or hash_on header / cookie / consumer`,
    );
    return {};
  }
  if (on === 'header' || on === 'cookie') return { hashOn: on, key: u.key };
  if (on === 'consumer') return { hashOn: 'consumer' };
  issues.add(fieldPath(at, 'hash_on'), `${JSON.stringify(on)} is not supported: use vars (remote_addr, uri), header, cookie or consumer`);
  return {};
}

function checksToSluice(checks: Obj, at: string, issues: IssueList): Obj {
  const out: Obj = {};
  if (checks.active) {
    for (const key of Object.keys(checks.active))
      if (!CHECK_FIELDS.has(key)) issues.add(fieldPath(fieldPath(at, 'active'), key), "is not supported by Sluice's active checks");
    out.active = camelKeys(checks.active);
  }
  if (checks.passive) {
    const unhealthy = (checks.passive.unhealthy ?? {}) as Obj;
    const failures = unhealthy.http_failures ?? unhealthy.tcp_failures ?? unhealthy.timeouts;
    out.passive = { ...(unhealthy.http_statuses ? { httpStatuses: unhealthy.http_statuses } : {}), ...(failures !== undefined ? { failures } : {}) };
  }
  return out;
}

/** Sluice upstream fields → an APISIX upstream body. */
export function upstreamToApisix(u: InlineUpstream & Obj): Obj {
  const out: Obj = {};
  out.nodes = u.nodes.some((n) => n.priority)
    ? u.nodes.map((n) => ({ host: n.host, port: n.port, weight: n.weight ?? 1, ...(n.priority ? { priority: n.priority } : {}) }))
    : Object.fromEntries(u.nodes.map((n) => [`${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`, n.weight ?? 1]));
  if (u.type) out.type = u.type;
  if (u.hashOn === 'remote_addr' || u.hashOn === 'uri') Object.assign(out, { hash_on: 'vars', key: u.hashOn });
  else if (u.hashOn === 'header' || u.hashOn === 'cookie') Object.assign(out, { hash_on: u.hashOn, key: u.key });
  else if (u.hashOn === 'consumer') out.hash_on = 'consumer';
  for (const key of ['scheme', 'retries', 'timeout', 'passHost', 'upstreamHost', 'retryTimeout'] as const)
    if (u[key] !== undefined) out[camelToSnake(key)] = u[key];
  if (u.keepalivePool) out.keepalive_pool = snakeKeys(u.keepalivePool);
  if (u.tls) out.tls = snakeKeys(u.tls);
  if (u.checks) {
    out.checks = {
      ...(u.checks.active ? { active: snakeKeys(u.checks.active) } : {}),
      ...(u.checks.passive
        ? {
            passive: {
              unhealthy: {
                ...(u.checks.passive.httpStatuses ? { http_statuses: u.checks.passive.httpStatuses } : {}),
                ...(u.checks.passive.failures !== undefined ? { http_failures: u.checks.passive.failures } : {}),
              },
            },
          }
        : {}),
    };
  }
  return out;
}

/** Keys at every depth; upstream sub-objects have no free-form maps. */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [snakeToCamel(k), camelKeys(x)]));
}

function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelToSnake(k), snakeKeys(x)]));
}
