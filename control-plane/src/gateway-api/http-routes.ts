import type { Route, Timeouts } from '@sluice/model';
import { upstreamIdOf, type UpstreamOverrides, type UpstreamRef } from '../translate/route-draft.js';
import { shortHash } from '../translate/short-hash.js';
import { attachRoute, type ParentAttachment } from './attach-route.js';
import { firstFailure, resolveBackendRef, type ResolvedBackend } from './backend-refs.js';
import type { BackendTlsPolicies } from './backend-tls-policies.js';
import { condition } from './conditions.js';
import { parseDuration } from './durations.js';
import type { GatewayState, ListenerState } from './gateway-listeners.js';
import { translateFilters, type FilterContext } from './http-filters.js';
import { precedenceKey } from './precedence-key.js';
import { grpcMatch, httpMatch } from './route-matches.js';
import type { Condition, GatewayApiObject, GatewayResources } from './types.js';

/** A route document with the upstreams it refers to. */
export interface HttpRouteDraft {
  route: Route;
  upstreams: UpstreamRef[];
}

export interface RouteOutcome {
  route: GatewayApiObject;
  kind: string;
  parents: ParentAttachment[];
  resolvedRefs: Condition;
}

interface Shared {
  resources: GatewayResources;
  gateways: readonly GatewayState[];
  policies: BackendTlsPolicies;
  warn: (object: string, message: string) => void;
}

/**
 * HTTPRoute and GRPCRoute → route documents: one per rule × match × distinct set of served
 * hostnames (listeners with the same hostname intersection share a document), each restricted
 * to its listeners by `listeners`.
 */
export function translateHttpRoutes(
  kind: 'HTTPRoute' | 'GRPCRoute',
  routes: readonly GatewayApiObject[],
  shared: Shared,
): { drafts: HttpRouteDraft[]; outcomes: RouteOutcome[] } {
  const drafts: HttpRouteDraft[] = [];
  const outcomes: RouteOutcome[] = [];
  for (const route of routes) {
    const namespace = route.metadata?.namespace ?? 'default';
    const name = route.metadata?.name ?? '';
    const object = `${kind}/${namespace}/${name}`;
    const warn = (m: string) => shared.warn(object, m);
    const parents = attachRoute(route, kind, shared.gateways, true);
    if (parents.length === 0) continue;
    const rules: any[] = Array.isArray(route.spec?.rules) && route.spec.rules.length ? route.spec.rules : [{}];
    const resolveRef = (ref: any, overrides: UpstreamOverrides) => resolveBackendRef(ref, route, kind, shared.resources, shared.policies, overrides, warn);
    const resolvedRules = rules.map((rule) => {
      const overrides = ruleOverrides(rule, kind, warn);
      return { rule, overrides, backends: ((rule?.backendRefs ?? []) as any[]).map((ref) => resolveRef(ref, overrides)) };
    });
    const failure = firstFailure(resolvedRules.flatMap((r) => r.backends));
    const resolvedRefs = failure
      ? condition(route, 'ResolvedRefs', false, failure.reason, failure.message)
      : condition(route, 'ResolvedRefs', true, 'ResolvedRefs', 'all references resolved');
    outcomes.push({ route, kind, parents, resolvedRefs });
    if (failure) warn(`${failure.message}; requests for it answer 500`);

    const groups = hostGroups(parents);
    if (groups.length === 0) continue;
    const usedGateways = [...new Set(parents.flatMap((p) => p.listeners.map((l) => l.listener.gateway)))];
    resolvedRules.forEach(({ rule, backends }, r) => {
      for (const b of backends) if (b.ok) shared.policies.noteUse(b.upstream.draft.owner.namespace, b.upstream.draft.owner.name, usedGateways);
      const matches: any[] = Array.isArray(rule?.matches) && rule.matches.length ? rule.matches : [{}];
      matches.forEach((m, i) => {
        const { match, path } = kind === 'GRPCRoute' ? grpcMatch(m) : httpMatch(m);
        groups.forEach((group, g) => {
          const docName = `${kind.toLowerCase()}/${namespace}/${name}/rule/${r}/match/${i}${groups.length > 1 ? `/hosts/${g}` : ''}`;
          const first = group.listeners[0]!;
          const filterContext: FilterContext = {
            route,
            scheme: first.protocol === 'HTTPS' ? 'https' : 'http',
            port: first.port,
            path,
            resolveMirror: (ref) => resolveRef(ref, kind === 'GRPCRoute' ? { scheme: 'grpc' } : {}),
            routePolicies: shared.resources.routePolicies,
          };
          const filters = translateFilters(rule?.filters ?? [], filterContext);
          if (g === 0 && i === 0) filters.warnings.forEach((w) => warn(`rule ${r}: ${w}`));
          const body = ruleBody(backends, filters, filterContext, kind, (m2) => g === 0 && i === 0 && warn(`rule ${r}: ${m2}`));
          const uid = route.metadata?.uid;
          const doc: Route = {
            id: shortHash(docName),
            name: docName,
            owner: { kind, namespace, name, ...(uid ? { uid } : {}) },
            // Specificity is the data plane's own ranking; the spec's tie-breaks go in the key.
            match: { ...(group.hosts.length ? { hosts: group.hosts } : {}), ...match, precedenceKey: precedenceKey(route, kind, r, i, g) },
            listeners: group.listeners.map((l) => l.id).sort(),
            ...body.fields,
            ...(timeoutOf(rule, warn) ?? {}),
          };
          drafts.push({ route: doc, upstreams: [...body.upstreams, ...filters.extraUpstreams] });
        });
      });
    });
  }
  return { drafts, outcomes };
}

/**
 * Accepted listeners grouped by the hostnames they serve the route for and their scheme and
 * port (a redirect's Location depends on them).
 */
function hostGroups(parents: readonly ParentAttachment[]): { hosts: string[]; listeners: ListenerState[] }[] {
  const groups = new Map<string, { hosts: string[]; listeners: ListenerState[] }>();
  for (const p of parents) {
    for (const a of p.listeners) {
      const key = `${a.listener.protocol}:${a.listener.port}|${a.hosts.join(',')}`;
      const group = groups.get(key) ?? { hosts: a.hosts, listeners: [] };
      if (!group.listeners.includes(a.listener)) group.listeners.push(a.listener);
      groups.set(key, group);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}

/** Seconds between retries when an HTTPRoute retry names no backoff (Envoy's default base interval). */
const DEFAULT_RETRY_BACKOFF = 0.025;

/** Upstream fields a rule asks for: retry (codes, attempts, backoff), session persistence, gRPC transport. */
function ruleOverrides(rule: any, kind: string, warn: (m: string) => void): UpstreamOverrides {
  const overrides: UpstreamOverrides = {};
  if (kind === 'GRPCRoute') overrides.scheme = 'grpc';
  const retry = rule?.retry;
  if (retry) {
    // `attempts` counts retries (Envoy's num_retries); connection errors and per-attempt
    // timeouts (backendRequest) are retried too, on the same pod when it is the only one.
    overrides.retries = typeof retry.attempts === 'number' ? Math.min(Math.max(Math.trunc(retry.attempts), 0), 100) : 1;
    overrides.retryOn = ['error', 'timeout', ...((retry.codes ?? []) as number[]).filter((c) => Number.isInteger(c) && c >= 100 && c <= 599)];
    overrides.retryMode = 'attempts';
    // Without a backoff, Envoy's default base interval (25 ms): a failing backend is not hammered,
    // and retries do not race a request timeout that the failures alone just use up.
    let backoff = retry.backoff === undefined ? DEFAULT_RETRY_BACKOFF : parseDuration(retry.backoff);
    if (backoff === undefined) {
      warn(`retry.backoff ${String(retry.backoff)} is not a duration; the default ${DEFAULT_RETRY_BACKOFF * 1000}ms applies`);
      backoff = DEFAULT_RETRY_BACKOFF;
    }
    if (backoff > 0) overrides.retryBackoff = Math.min(backoff, 86_400);
  }
  const sp = rule?.sessionPersistence;
  if (sp) {
    if ((sp.type ?? 'Cookie') === 'Header') Object.assign(overrides, { type: 'chash', hashOn: 'header', key: sp.sessionName ?? 'x-sluice-session' });
    else {
      const ttl = sp.cookieConfig?.lifetimeType === 'Permanent' ? Math.round(parseDuration(sp.absoluteTimeout) ?? 0) : 0;
      overrides.affinity = { type: 'cookie', name: sp.sessionName ?? 'sluice-session', ttl };
    }
  }
  return overrides;
}

/**
 * timeouts.request / backendRequest → the route's read timeout, per attempt (the tighter one;
 * "0s" = disabled); `request` also becomes `timeout.request`, which bounds all retries together.
 */
function timeoutOf(rule: any, warn: (m: string) => void): { timeout: Timeouts } | undefined {
  const t = rule?.timeouts;
  if (!t) return undefined;
  const values: number[] = [];
  for (const field of ['request', 'backendRequest'] as const) {
    if (t[field] === undefined) continue;
    const s = parseDuration(t[field]);
    if (s === undefined) warn(`timeouts.${field} ${String(t[field])} is not a duration; ignored`);
    else values.push(s === 0 ? 86_400 : s);
  }
  if (values.length === 0) return undefined;
  const request = t.request === undefined ? undefined : parseDuration(t.request);
  const whole = request !== undefined && request > 0 ? { request: Math.min(86_400, request) } : {};
  return { timeout: { read: Math.min(86_400, Math.min(...values)), ...whole } };
}

/**
 * Backends, plugins and per-backend filters of one rule. No usable backend (none declared,
 * all invalid, all weight 0) or a filter we cannot honour → fault-injection abort 500, as the
 * spec requires; a redirect answers by itself.
 */
function ruleBody(
  backends: readonly ResolvedBackend[],
  filters: ReturnType<typeof translateFilters>,
  ctx: FilterContext,
  kind: string,
  warn: (m: string) => void,
): { fields: Partial<Route>; upstreams: UpstreamRef[] } {
  const fail = (why: string) => ({ fields: { plugins: { 'fault-injection': { abort: { httpStatus: 500, body: `${why}\n` } } } }, upstreams: [] });
  if (filters.fail) {
    warn(`${filters.fail}; the rule answers 500`);
    return fail('Internal Server Error: unsupported filter');
  }
  const valid = backends.filter((b): b is Extract<ResolvedBackend, { ok: true }> => b.ok);
  const weighted = valid.filter((b) => b.weight > 0);
  if (filters.answers) return { fields: { plugins: sortKeys(filters.plugins) }, upstreams: [] };
  if (weighted.length === 0) return fail('Internal Server Error: no valid backend');
  if (valid.length < backends.length) warn('some backendRefs are invalid; their share of requests goes to the valid ones');

  const plugins = { ...filters.plugins };
  const perBackend = perBackendPlugins(weighted, ctx, kind, warn);
  if (perBackend === 'fail') return fail('Internal Server Error: unsupported filter');
  mergePlugins(plugins, perBackend);

  const backendRefs = valid.map((b) => ({ upstreamId: upstreamIdOf(b.upstream), weight: b.weight }));
  return {
    fields: { backends: backendRefs, ...(Object.keys(plugins).length ? { plugins: sortKeys(plugins) } : {}) },
    upstreams: valid.map((b) => b.upstream),
  };
}

/**
 * Per-backend filters (run after the rule's). The same on every weighted backend: plain route
 * plugins. Different ones: traffic-split picks the backend by weight and runs the chosen
 * one's request edits (RequestHeaderModifier, URLRewrite) as that entry's proxyRewrite.
 */
function perBackendPlugins(
  weighted: readonly Extract<ResolvedBackend, { ok: true }>[],
  ctx: FilterContext,
  kind: string,
  warn: (m: string) => void,
): Record<string, any> | 'fail' {
  const backendContext: FilterContext = {
    ...ctx,
    resolveMirror: () => ({ ok: false, reason: 'InvalidKind', message: 'mirror in a backend filter is not supported', weight: 0 }),
  };
  const translated = weighted.map((b) => translateFilters(b.filters, backendContext));
  for (const t of translated) t.warnings.forEach((w) => warn(`backend filter: ${w}`));
  const failed = translated.find((t) => t.fail);
  if (failed) {
    warn(`${failed.fail} (backend filter); the rule answers 500`);
    return 'fail';
  }
  if (new Set(weighted.map((b) => JSON.stringify(b.filters))).size === 1) return translated[0]!.plugins;
  const onlyRewrites = translated.every((t) => Object.keys(t.plugins).every((name) => name === 'proxy-rewrite'));
  if (!onlyRewrites) {
    warn(
      `per-backend filters other than RequestHeaderModifier and URLRewrite that differ between weighted backends are not supported; ${kind} backend filters ignored`,
    );
    return {};
  }
  const weightedUpstreams = weighted.map((b, i) => ({
    upstreamId: upstreamIdOf(b.upstream),
    weight: b.weight,
    ...(translated[i]!.plugins['proxy-rewrite'] ? { proxyRewrite: translated[i]!.plugins['proxy-rewrite'] } : {}),
  }));
  return { 'traffic-split': { rules: [{ weightedUpstreams }] } };
}

/** Adds plugins to a rule's own; proxy-rewrite/response-rewrite header edits are merged, the later winning. */
function mergePlugins(plugins: Record<string, any>, extra: Record<string, any>): void {
  for (const [name, config] of Object.entries(extra)) {
    if (!plugins[name] || typeof config !== 'object') plugins[name] = config;
    else {
      const headers = mergeEdits(plugins[name].headers, (config as any).headers);
      plugins[name] = { ...plugins[name], ...config, ...(headers ? { headers } : {}) };
    }
  }
}

function mergeEdits(a: any, b: any): any {
  if (!a) return b;
  if (!b) return a;
  return {
    ...(a.set || b.set ? { set: { ...a.set, ...b.set } } : {}),
    ...(a.add || b.add ? { add: { ...a.add, ...b.add } } : {}),
    ...(a.remove || b.remove ? { remove: [...(a.remove ?? []), ...(b.remove ?? [])] } : {}),
  };
}

function sortKeys<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T;
}
