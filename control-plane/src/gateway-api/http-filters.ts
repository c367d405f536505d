import type { PathMatch } from '@sluice/model';
import type { UpstreamRef } from '../translate/route-draft.js';
import { upstreamIdOf } from '../translate/route-draft.js';
import type { ResolvedBackend } from './backend-refs.js';
import { SLUICE_GROUP, type GatewayApiObject } from './types.js';

/** Where a rule's filters run: needed for redirects (scheme, port, host) and prefix rewrites. */
export interface FilterContext {
  route: GatewayApiObject;
  /** Scheme and port of the listener the request came in on. */
  scheme: 'http' | 'https';
  port: number;
  path: PathMatch;
  resolveMirror(ref: any): ResolvedBackend;
  routePolicies: readonly GatewayApiObject[];
}

export interface FilterResult {
  plugins: Record<string, any>;
  /** Mirror upstreams the plugins refer to. */
  extraUpstreams: UpstreamRef[];
  warnings: string[];
  /** The rule must answer 500 (a filter it cannot honour, spec: "MUST NOT be partially applied"). */
  fail?: string;
  /** The rule answers by itself (redirect): it needs no backend. */
  answers: boolean;
}

/**
 * HTTPRoute / GRPCRoute filters → plugin configs (DESIGN.md: filters become plugins, never
 * special cases in the proxy):
 *   RequestHeaderModifier → proxy-rewrite.headers   ResponseHeaderModifier → response-rewrite.headers
 *   URLRewrite → proxy-rewrite (host, uri / regexUri) RequestRedirect → redirect (scheme, host, port, uri / regexUri)
 *   RequestMirror → request-mirror (one target each)  CORS → cors
 *   ExtensionRef sluice.dev/RoutePolicy → its spec.plugins, merged
 */
export function translateFilters(filters: readonly any[], ctx: FilterContext): FilterResult {
  const result: FilterResult = { plugins: {}, extraUpstreams: [], warnings: [], answers: false };
  const mirrors: MirrorTarget[] = [];
  for (const filter of filters) {
    switch (filter?.type) {
      case 'RequestHeaderModifier':
        mergeHeaders(result.plugins, 'proxy-rewrite', filter.requestHeaderModifier);
        break;
      case 'ResponseHeaderModifier':
        mergeHeaders(result.plugins, 'response-rewrite', filter.responseHeaderModifier);
        break;
      case 'URLRewrite':
        urlRewrite(filter.urlRewrite ?? {}, ctx, result);
        break;
      case 'RequestRedirect':
        redirect(filter.requestRedirect ?? {}, ctx, result);
        break;
      case 'RequestMirror':
        mirror(filter.requestMirror ?? {}, ctx, result, mirrors);
        break;
      case 'CORS':
        result.plugins.cors = cors(filter.cors ?? {});
        break;
      case 'ExtensionRef':
        extensionRef(filter.extensionRef ?? {}, ctx, result);
        break;
      default:
        result.fail ??= `filter type ${String(filter?.type)} is not supported`;
    }
  }
  // Several RequestMirror filters: one request-mirror with a target each.
  if (mirrors.length === 1) result.plugins['request-mirror'] = mirrors[0];
  else if (mirrors.length > 1) result.plugins['request-mirror'] = { targets: mirrors };
  return result;
}

function mergeHeaders(plugins: Record<string, any>, plugin: string, mod: any): void {
  const config = (plugins[plugin] ??= {});
  const headers = (config.headers ??= {});
  for (const h of mod?.set ?? []) (headers.set ??= {})[h.name] = String(h.value ?? '');
  for (const h of mod?.add ?? []) (headers.add ??= {})[h.name] = String(h.value ?? '');
  for (const name of mod?.remove ?? []) (headers.remove ??= []).push(name);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * ReplacePrefixMatch as a path regex: `/foo` → `/bar` maps /foo → /bar, /foo/x → /bar/x;
 * to `/` it maps /foo → / and /foo/x → /x (no doubled slash).
 */
export function prefixRewrite(prefix: string, replacement: string): [string, string] {
  const from = prefix === '/' ? '' : prefix.replace(/\/+$/, '');
  const to = replacement.replace(/\/+$/, '');
  if (to === '') return [`^${escapeRegex(from)}(?:/(.*))?$`, '/$1'];
  return [`^${escapeRegex(from)}(/.*)?$`, `${to}$1`];
}

function pathChange(spec: any, ctx: FilterContext, result: FilterResult): { uri?: string; regexUri?: [string, string] } | undefined {
  if (!spec) return {};
  if (spec.type === 'ReplaceFullPath') return { uri: String(spec.replaceFullPath ?? '/') };
  if (spec.type === 'ReplacePrefixMatch') {
    if (ctx.path.type !== 'prefix') {
      result.fail ??= 'ReplacePrefixMatch needs a PathPrefix match';
      return undefined;
    }
    return { regexUri: prefixRewrite(ctx.path.value, String(spec.replacePrefixMatch ?? '/')) };
  }
  result.fail ??= `path modifier ${String(spec.type)} is not supported`;
  return undefined;
}

function urlRewrite(spec: any, ctx: FilterContext, result: FilterResult): void {
  const config = (result.plugins['proxy-rewrite'] ??= {});
  if (spec.hostname) config.host = String(spec.hostname);
  const path = pathChange(spec.path, ctx, result);
  if (path) Object.assign(config, path);
}

/**
 * RequestRedirect → redirect with an absolute Location built from the request's own Host: the
 * hostname, scheme and path given, else the request's; the port given, else the scheme's
 * default when the scheme is given, else the listener's port (spec; the plugin leaves out
 * 80 for http and 443 for https).
 */
function redirect(spec: any, ctx: FilterContext, result: FilterResult): void {
  result.answers = true;
  const path = pathChange(spec.path, ctx, result);
  if (!path) return;
  const port: number = spec.port ?? (spec.scheme ? (spec.scheme === 'https' ? 443 : 80) : ctx.port);
  result.plugins.redirect = {
    ...path,
    ...(spec.scheme ? { scheme: String(spec.scheme) } : {}),
    ...(spec.hostname ? { host: String(spec.hostname) } : {}),
    port,
    code: spec.statusCode ?? 302,
  };
}

interface MirrorTarget {
  upstreamId: string;
  sampleRatio?: number;
}

function mirror(spec: any, ctx: FilterContext, result: FilterResult, mirrors: MirrorTarget[]): void {
  const backend = ctx.resolveMirror(spec.backendRef);
  if (!backend.ok) {
    result.warnings.push(`RequestMirror backend: ${backend.message}; not mirrored`);
    return;
  }
  let ratio: number | undefined;
  if (typeof spec.percent === 'number') ratio = spec.percent / 100;
  else if (spec.fraction && typeof spec.fraction.numerator === 'number')
    ratio = spec.fraction.numerator / (typeof spec.fraction.denominator === 'number' && spec.fraction.denominator > 0 ? spec.fraction.denominator : 100);
  result.extraUpstreams.push(backend.upstream);
  mirrors.push({
    upstreamId: upstreamIdOf(backend.upstream),
    ...(ratio !== undefined ? { sampleRatio: Math.min(1, Math.max(0, ratio)) } : {}),
  });
}

/** CORS filter → cors plugin; origins with a `*` inside become regexes. */
export function cors(spec: any): Record<string, unknown> {
  const origins: string[] = spec.allowOrigins ?? [];
  const exact = origins.filter((o) => o === '*' || !o.includes('*'));
  const wild = origins.filter((o) => o !== '*' && o.includes('*'));
  const list = (v: string[] | undefined) => (v?.length ? (v.includes('*') ? '*' : v.join(',')) : undefined);
  const credentials = spec.allowCredentials === true;
  // Any origin with credentials: the plugin echoes the request's Origin (browsers refuse '*'
  // then); the cors plugin wants that spelt as a regex so it is never a slip.
  const anyOrigin = exact.includes('*') || origins.length === 0;
  const config: Record<string, unknown> = {
    allowOrigins: anyOrigin && !credentials ? '*' : exact.length && !anyOrigin ? exact.join(',') : 'null',
  };
  if (anyOrigin && credentials) config.allowOriginsByRegex = ['.*'];
  else if (wild.length) config.allowOriginsByRegex = wild.map((o) => `^${o.split('*').map(escapeRegex).join('[^/]*')}$`);
  const methods = list(spec.allowMethods);
  const headers = list(spec.allowHeaders);
  const expose = list(spec.exposeHeaders);
  if (methods) config.allowMethods = methods;
  if (headers) config.allowHeaders = headers;
  if (expose) config.exposeHeaders = expose;
  if (typeof spec.maxAge === 'number') config.maxAge = spec.maxAge;
  if (credentials) config.allowCredential = true;
  return config;
}

function extensionRef(ref: any, ctx: FilterContext, result: FilterResult): void {
  if (ref.group !== SLUICE_GROUP || ref.kind !== 'RoutePolicy') {
    result.fail ??= `ExtensionRef ${ref.group}/${ref.kind} is not supported (use ${SLUICE_GROUP}/RoutePolicy)`;
    return;
  }
  const namespace = ctx.route.metadata?.namespace ?? 'default';
  const policy = ctx.routePolicies.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === ref.name);
  if (!policy) {
    result.fail ??= `RoutePolicy ${namespace}/${ref.name} not found`;
    return;
  }
  for (const [name, config] of Object.entries((policy.spec?.plugins ?? {}) as Record<string, unknown>)) result.plugins[name] = config;
}
