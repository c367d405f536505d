import type { Upstream } from '@sluice/model';
import { annotationByKey, NGINX } from './annotations/index.js';
import { check } from './annotations/annotation.js';
import { CLIENT_LIMIT_KEYS, translateClientLimits } from './client-limits-rule.js';
import { findConfigMap } from './config-map-ref.js';
import { configMapGlobalRule } from './configmap-global-rule.js';
import { canonicalKeys, NGINX_INC_CONFIG_MAP_KEYS } from './nginx-inc-keys.js';
import { checkNginxSize, checkNginxTime, parseNginxSize, parseNginxTime } from './nginx-units.js';
import type { Resources, TranslatedDocument } from './types.js';

/**
 * ingress-nginx's global ConfigMap (`--configmap`), as defaults for what the translator emits.
 * Decision: keys that ingress-nginx also has as annotations (timeouts, ssl-redirect, retries)
 * become the default value of that annotation, so an Ingress's own annotation still wins and the
 * translation goes through the one declared path. gzip becomes a `gzip` plugin on every route,
 * upstream keep-alive becomes `keepalivePool` on every upstream (document fields: a global rule
 * would also hit routes the admin API owns). What nginx applies to a client before any location
 * (header buffers, client keep-alive, the body size default) and the real client address are
 * server-wide in ingress-nginx too, so they become global rules owned by the ConfigMap, which
 * the data plane applies live. NGINX Inc. key names (client-max-body-size) are taken as the
 * ingress-nginx key they mean, with a warning.
 */
export interface GlobalConfig {
  /** Full annotation key → value used when an Ingress does not set that annotation. */
  annotationDefaults: ReadonlyMap<string, string>;
  /** Plugins put on every translated route (a route's own config of the same plugin wins). */
  routePlugins: Record<string, unknown>;
  /** Fields put on every translated upstream. */
  upstreamFields: Partial<Pick<Upstream, 'keepalivePool'>>;
  /** Global rules: real IP, client limits (server-wide in ingress-nginx too). */
  globalRules: TranslatedDocument[];
}

export const EMPTY_GLOBAL_CONFIG: GlobalConfig = { annotationDefaults: new Map(), routePlugins: {}, upstreamFields: {}, globalRules: [] };

const AS_ANNOTATION = [
  'proxy-connect-timeout',
  'proxy-read-timeout',
  'proxy-send-timeout',
  'ssl-redirect',
  'proxy-next-upstream',
  'proxy-next-upstream-tries',
  'proxy-next-upstream-timeout',
];

/** ingress-nginx's default gzip-types. */
const DEFAULT_GZIP_TYPES = [
  'application/atom+xml',
  'application/javascript',
  'application/x-javascript',
  'application/json',
  'application/rss+xml',
  'application/vnd.ms-fontobject',
  'application/x-font-ttf',
  'application/x-web-app-manifest+json',
  'application/xhtml+xml',
  'application/xml',
  'font/opentype',
  'image/svg+xml',
  'image/x-icon',
  'text/css',
  'text/javascript',
  'text/plain',
  'text/x-component',
];

const GZIP_KEYS = ['use-gzip', 'gzip-types', 'gzip-min-length', 'gzip-level'];
const KEEPALIVE_KEYS = ['upstream-keepalive-connections', 'upstream-keepalive-timeout', 'upstream-keepalive-requests'];
const REAL_IP_SWITCHES = ['use-forwarded-headers', 'enable-real-ip'];
const REAL_IP_KEYS = [...REAL_IP_SWITCHES, 'forwarded-for-header', 'proxy-real-ip-cidr', 'compute-full-forwarded-for'];

/** Every ConfigMap key Sluice reads, grouped as docs/ingress-nginx-migration.md lists them (generated from here). */
export const CONFIG_MAP_KEYS: readonly { keys: readonly string[]; support: 'supported' | 'partly'; doc: string }[] = [
  {
    keys: AS_ANNOTATION,
    support: 'supported',
    doc: "Defaults of the annotations of the same name (an Ingress's own annotation wins); times as nginx writes them (`11s`, `5m`) are accepted.",
  },
  {
    keys: CLIENT_LIMIT_KEYS,
    support: 'partly',
    doc:
      'One global rule owned by the ConfigMap, applied live by the data plane to every route (admin-made ones too): `proxy-body-size` (default 1m, as ingress-nginx) → `client-control.maxBodySize`, which a route\'s own `proxy-body-size` annotation replaces ("0" = none); ' +
      '`client-header-buffer-size` and `large-client-header-buffers` → `client-traffic.maxHeaderSize` = max(client-header-buffer-size, number × size), the most nginx lets a request head take (nginx also caps each header line at `size`; Sluice only the total); ' +
      '`keep-alive` → `keepAliveTimeout`, `keep-alive-requests` → `keepAliveRequests`, `client-header-timeout` → `headersTimeout`.',
  },
  { keys: GZIP_KEYS, support: 'supported', doc: '`gzip` plugin on every translated route.' },
  { keys: KEEPALIVE_KEYS, support: 'supported', doc: '`keepalivePool` on every translated upstream.' },
  {
    keys: REAL_IP_KEYS,
    support: 'partly',
    doc:
      'A `real-ip` global rule: the client address (ip-restriction, limit-*, logs) comes from the header when the connection is from proxy-real-ip-cidr (default anyone), walking past trusted hops (nginx real_ip_recursive on). It applies to every route, admin-made ones too. ' +
      '`compute-full-forwarded-for` is always on (the client address is appended to X-Forwarded-For); "false" is a warning.',
  },
];

const READ_KEYS = new Set(CONFIG_MAP_KEYS.flatMap((k) => k.keys));

/** Keys tutorials set that Sluice deliberately does not read, and why (the others get a generic warning). */
export const CONFIG_MAP_NOTES: Readonly<Record<string, string>> = {
  'allow-snippet-annotations': 'snippets are always refused, whatever this says',
  'worker-processes': 'an nginx process setting; the data plane has --workers',
  'max-worker-connections': 'an nginx process setting; Node has no per-worker connection cap to set',
  'max-worker-open-files': "an nginx process setting; raise the data plane's open-file limit (ulimit -n) instead",
  'disable-ipv6': 'Sluice listens where --host says',
  'disable-ipv6-dns': 'Sluice resolves upstream names with the system resolver',
};

export function readGlobalConfig(resources: Resources, ref: string | undefined, warn: (object: string, message: string) => void): GlobalConfig {
  if (!ref) return EMPTY_GLOBAL_CONFIG;
  const found = findConfigMap(resources, ref);
  const object = found?.object ?? `ConfigMap/${ref.includes('/') ? ref : `default/${ref}`}`;
  const say = (message: string) => warn(object, message);
  if (!found) say('the --configmap ConfigMap does not exist; ingress-nginx defaults apply (a 1m request body limit)');
  const data = new Map(canonicalKeys(found?.data ?? [], NGINX_INC_CONFIG_MAP_KEYS, say, 'key'));
  const integer = (key: string, min: number): number | undefined => {
    const v = data.get(key);
    if (v === undefined) return undefined;
    const error = check.integer(min)(v);
    if (error) return void say(`${key} ignored: ${error}`);
    return Number(v);
  };

  const annotationDefaults = new Map<string, string>();
  for (const key of AS_ANNOTATION) {
    const value = data.get(key);
    if (value === undefined) continue;
    const error = annotationByKey.get(`${NGINX}${key}`)!.validate(value);
    if (error) say(`${key} ignored: ${error}`);
    else annotationDefaults.set(`${NGINX}${key}`, value);
  }

  const routePlugins: Record<string, unknown> = {};
  const useGzip = data.get('use-gzip');
  if (useGzip !== undefined && check.boolean(useGzip)) say(`use-gzip ignored: ${check.boolean(useGzip)}`);
  if (useGzip === 'true') {
    const types = data
      .get('gzip-types')
      ?.split(/[\s,]+/)
      .filter(Boolean);
    const minLengthText = data.get('gzip-min-length');
    const minLengthError = minLengthText === undefined ? undefined : checkNginxSize(minLengthText);
    if (minLengthError) say(`gzip-min-length ignored: ${minLengthError}`);
    const minLength = minLengthText === undefined || minLengthError ? undefined : parseNginxSize(minLengthText);
    const level = data.get('gzip-level') === undefined ? undefined : integer('gzip-level', 1);
    routePlugins.gzip = {
      types: types?.length ? (types.includes('*') ? '*' : types) : DEFAULT_GZIP_TYPES,
      ...(minLength ? { minLength } : {}),
      ...(level !== undefined ? { compLevel: Math.min(level, 9) } : {}),
      vary: true,
    };
  }

  const size = integer('upstream-keepalive-connections', 0);
  const timeoutText = data.get('upstream-keepalive-timeout');
  const timeoutError = timeoutText === undefined ? undefined : checkNginxTime(0.001, 86_400)(timeoutText);
  if (timeoutError) say(`upstream-keepalive-timeout ignored: ${timeoutError}`);
  const idleTimeout = timeoutText === undefined || timeoutError ? undefined : parseNginxTime(timeoutText);
  const requests = integer('upstream-keepalive-requests', 1);
  const keepalivePool = {
    ...(size !== undefined ? { size } : {}),
    ...(idleTimeout !== undefined ? { idleTimeout } : {}),
    ...(requests !== undefined ? { requests } : {}),
  };

  const realIp = readRealIp(data, object, say);
  const clientLimits = translateClientLimits(object, data, say);

  for (const [key] of data) {
    if (READ_KEYS.has(key)) continue;
    const note = CONFIG_MAP_NOTES[key];
    say(`${key} is not supported by Sluice${note ? ` (${note})` : ''}; ignored (see docs/ingress-nginx-migration.md)`);
  }
  return {
    annotationDefaults,
    routePlugins,
    upstreamFields: Object.keys(keepalivePool).length ? { keepalivePool } : {},
    globalRules: [realIp, clientLimits].filter((r) => r !== undefined),
  };
}

/**
 * use-forwarded-headers / enable-real-ip → a `real-ip` global rule: the client address comes
 * from forwarded-for-header (X-Forwarded-For) when the connection is from proxy-real-ip-cidr
 * (ingress-nginx default: anyone), walking past trusted hops as nginx's real_ip_recursive on.
 * compute-full-forwarded-for is how the data plane always works (the client is appended).
 */
function readRealIp(data: Map<string, string>, object: string, say: (message: string) => void): TranslatedDocument | undefined {
  for (const key of [...REAL_IP_SWITCHES, 'compute-full-forwarded-for']) {
    const v = data.get(key);
    if (v !== undefined && check.boolean(v)) say(`${key} ignored: ${check.boolean(v)}`);
  }
  if (data.get('compute-full-forwarded-for') === 'false')
    say('compute-full-forwarded-for "false" is not supported: the client address is always appended to X-Forwarded-For');
  if (!REAL_IP_SWITCHES.some((k) => data.get(k) === 'true')) {
    for (const key of ['forwarded-for-header', 'proxy-real-ip-cidr']) {
      if (data.has(key)) say(`${key} has no effect without use-forwarded-headers or enable-real-ip "true"`);
    }
    return undefined;
  }
  const header = data.get('forwarded-for-header')?.trim() || 'X-Forwarded-For';
  const cidrs = (data.get('proxy-real-ip-cidr') ?? '0.0.0.0/0')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  // 0.0.0.0/0 means "any client" in ingress-nginx; IPv6 clients are any clients too.
  const trusted = cidrs.includes('0.0.0.0/0') && !cidrs.includes('::/0') ? [...cidrs, '::/0'] : cidrs;
  return configMapGlobalRule(object, 'real-ip', { 'real-ip': { header, trusted, recursive: true } }, say, 'check forwarded-for-header and proxy-real-ip-cidr');
}
