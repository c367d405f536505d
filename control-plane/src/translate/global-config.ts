import { kindByCollection, validateDocument, type GlobalRule, type Upstream } from '@sluice/model';
import { annotationByKey, NGINX } from './annotations/index.js';
import { check } from './annotations/annotation.js';
import { findConfigMap } from './config-map-ref.js';
import { shortHash } from './short-hash.js';
import type { Resources, TranslatedDocument } from './types.js';

/**
 * ingress-nginx's global ConfigMap (`--configmap`), as defaults for what the translator emits.
 * Decision: keys that ingress-nginx also has as annotations (timeouts, body size, ssl-redirect)
 * become the default value of that annotation, so an Ingress's own annotation still wins and the
 * translation goes through the one declared path. gzip becomes a `gzip` plugin on every route,
 * upstream keep-alive becomes `keepalivePool` on every upstream (document fields, no
 * global rule: a global rule would also hit routes the admin API owns).
 */
export interface GlobalConfig {
  /** Full annotation key → value used when an Ingress does not set that annotation. */
  annotationDefaults: ReadonlyMap<string, string>;
  /** Plugins put on every translated route (a route's own config of the same plugin wins). */
  routePlugins: Record<string, unknown>;
  /** Fields put on every translated upstream. */
  upstreamFields: Partial<Pick<Upstream, 'keepalivePool'>>;
  /** Global rules (real IP: the client address is server-wide in ingress-nginx too). */
  globalRules: TranslatedDocument[];
}

export const EMPTY_GLOBAL_CONFIG: GlobalConfig = { annotationDefaults: new Map(), routePlugins: {}, upstreamFields: {}, globalRules: [] };

const AS_ANNOTATION = [
  'proxy-connect-timeout',
  'proxy-read-timeout',
  'proxy-send-timeout',
  'proxy-body-size',
  'ssl-redirect',
  'proxy-next-upstream',
  'proxy-next-upstream-tries',
  'proxy-next-upstream-timeout',
];

/** ingress-nginx's default gzip-types. */
const DEFAULT_GZIP_TYPES = [
  'application/atom+xml', 'application/javascript', 'application/x-javascript', 'application/json', 'application/rss+xml',
  'application/vnd.ms-fontobject', 'application/x-font-ttf', 'application/x-web-app-manifest+json', 'application/xhtml+xml',
  'application/xml', 'font/opentype', 'image/svg+xml', 'image/x-icon', 'text/css', 'text/javascript', 'text/plain', 'text/x-component',
];

const UNSUPPORTED: Record<string, string> = {
  'keep-alive': 'client keep-alive is a data-plane process setting, not configuration',
};

const COMPANIONS = new Set([
  'gzip-types',
  'gzip-min-length',
  'gzip-level',
  'upstream-keepalive-timeout',
  'upstream-keepalive-requests',
  'forwarded-for-header',
  'proxy-real-ip-cidr',
  'compute-full-forwarded-for',
]);

const REAL_IP_SWITCHES = ['use-forwarded-headers', 'enable-real-ip'];

export function readGlobalConfig(resources: Resources, ref: string | undefined, warn: (object: string, message: string) => void): GlobalConfig {
  if (!ref) return EMPTY_GLOBAL_CONFIG;
  const found = findConfigMap(resources, ref);
  if (!found) {
    warn(`ConfigMap/${ref.includes('/') ? ref : `default/${ref}`}`, 'the --configmap ConfigMap does not exist; ingress-nginx defaults apply');
    return EMPTY_GLOBAL_CONFIG;
  }
  const data = new Map(found.data);
  const say = (message: string) => warn(found.object, message);
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
    const types = data.get('gzip-types')?.split(/[\s,]+/).filter(Boolean);
    const minLength = integer('gzip-min-length', 1);
    const level = data.get('gzip-level') === undefined ? undefined : integer('gzip-level', 1);
    routePlugins.gzip = {
      types: types?.length ? (types.includes('*') ? '*' : types) : DEFAULT_GZIP_TYPES,
      ...(minLength !== undefined ? { minLength } : {}),
      ...(level !== undefined ? { compLevel: Math.min(level, 9) } : {}),
      vary: true,
    };
  }

  const size = integer('upstream-keepalive-connections', 0);
  const idleTimeout = integer('upstream-keepalive-timeout', 1);
  const requests = integer('upstream-keepalive-requests', 1);
  const keepalivePool = {
    ...(size !== undefined ? { size } : {}),
    ...(idleTimeout !== undefined ? { idleTimeout } : {}),
    ...(requests !== undefined ? { requests } : {}),
  };

  const realIp = readRealIp(data, found.object, say);

  for (const [key] of found.data) {
    if (UNSUPPORTED[key]) say(`${key} is not supported: ${UNSUPPORTED[key]}`);
    else if (!AS_ANNOTATION.includes(key) && !COMPANIONS.has(key) && !REAL_IP_SWITCHES.includes(key) && key !== 'use-gzip' && key !== 'upstream-keepalive-connections') {
      say(`${key} is not supported by Sluice; ignored (see docs/ingress-nginx-migration.md)`);
    }
  }
  return { annotationDefaults, routePlugins, upstreamFields: Object.keys(keepalivePool).length ? { keepalivePool } : {}, globalRules: realIp ? [realIp] : [] };
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
  if (data.get('compute-full-forwarded-for') === 'false') say('compute-full-forwarded-for "false" is not supported: the client address is always appended to X-Forwarded-For');
  if (!REAL_IP_SWITCHES.some((k) => data.get(k) === 'true')) {
    for (const key of ['forwarded-for-header', 'proxy-real-ip-cidr']) {
      if (data.has(key)) say(`${key} has no effect without use-forwarded-headers or enable-real-ip "true"`);
    }
    return undefined;
  }
  const header = data.get('forwarded-for-header')?.trim() || 'X-Forwarded-For';
  const cidrs = (data.get('proxy-real-ip-cidr') ?? '0.0.0.0/0').split(',').map((c) => c.trim()).filter(Boolean);
  // 0.0.0.0/0 means "any client" in ingress-nginx; IPv6 clients are any clients too.
  const trusted = cidrs.includes('0.0.0.0/0') && !cidrs.includes('::/0') ? [...cidrs, '::/0'] : cidrs;
  const [, namespace, name] = object.split('/');
  const ruleName = `configmap/${namespace}/${name}/real-ip`;
  const rule: GlobalRule = {
    id: shortHash(ruleName),
    name: ruleName,
    owner: { kind: 'ConfigMap', namespace: namespace!, name: name! },
    plugins: { 'real-ip': { header, trusted, recursive: true } },
  };
  const issues = validateDocument(kindByCollection('global-rules')!, rule);
  if (issues.length) {
    say(`real IP ignored: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')} (check forwarded-for-header and proxy-real-ip-cidr)`);
    return undefined;
  }
  return { collection: 'global-rules', doc: rule as TranslatedDocument['doc'] };
}
