import { corsSpec, type PluginConfigOf } from '@sluice/model';
import { setHeader, addHeader, getHeader } from './flat-headers.js';
import { definePlugin, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof corsSpec>;

interface Compiled {
  anyOrigin: boolean;
  origins: ReadonlySet<string>;
  originRegexes: RegExp[];
  allowMethods: string;
  allowHeaders: string;
  exposeHeaders: string | undefined;
  maxAge: string;
  credentials: boolean;
}

/** The allowed origin for this request ('*' or the echoed origin), computed once in rewrite. */
const ORIGIN_VAR = 'cors.allowOrigin';

export const corsPlugin = definePlugin({
  spec: corsSpec,
  prepare(config: Config): Compiled {
    const origins = splitList(config.allowOrigins ?? '*');
    const credentials = config.allowCredential ?? false;
    return {
      anyOrigin: origins.includes('*'),
      origins: new Set(origins.map((o) => o.toLowerCase())),
      originRegexes: (config.allowOriginsByRegex ?? []).map((r) => new RegExp(r)),
      allowMethods: config.allowMethods === undefined || config.allowMethods === '*' ? '*' : splitList(config.allowMethods).join(','),
      allowHeaders: config.allowHeaders === undefined || config.allowHeaders === '*' ? '*' : splitList(config.allowHeaders).join(','),
      exposeHeaders: config.exposeHeaders,
      maxAge: String(config.maxAge ?? 5),
      credentials,
    };
  },
  rewrite(ctx, c): ShortCircuit | undefined {
    const origin = ctx.header('origin');
    if (origin === undefined) return undefined;
    const allowed = allowedOrigin(c, origin);
    if (allowed !== undefined) ctx.vars[ORIGIN_VAR] = allowed;
    if (ctx.method !== 'OPTIONS') return undefined;
    // A preflight: answered here, never proxied.
    const headers: string[] = [];
    if (allowed !== undefined) addCorsHeaders(ctx, c, allowed, headers, true);
    const flat: Record<string, string> = {};
    for (let i = 0; i < headers.length; i += 2) flat[headers[i]] = headers[i + 1];
    return { status: 204, headers: flat };
  },
  headerFilter(ctx, c, head) {
    const allowed = ctx.vars[ORIGIN_VAR] as string | undefined;
    // Preflight answers already carry theirs.
    if (allowed === undefined || getHeader(head.headers, 'access-control-allow-origin') !== undefined) return;
    addCorsHeaders(ctx, c, allowed, head.headers, false);
  },
});

function allowedOrigin(c: Compiled, origin: string): string | undefined {
  if (c.anyOrigin && !c.credentials) return '*';
  if (c.anyOrigin || c.origins.has(origin.toLowerCase())) return origin;
  for (const re of c.originRegexes) if (re.test(origin)) return origin;
  return undefined;
}

function addCorsHeaders(ctx: PluginContext, c: Compiled, origin: string, flat: string[], preflight: boolean): void {
  setHeader(flat, 'Access-Control-Allow-Origin', origin);
  if (origin !== '*') addHeader(flat, 'Vary', 'Origin');
  if (c.credentials) setHeader(flat, 'Access-Control-Allow-Credentials', 'true');
  if (c.exposeHeaders) setHeader(flat, 'Access-Control-Expose-Headers', c.exposeHeaders);
  if (!preflight) return;
  // Browsers take a literal '*' only without credentials (Fetch spec); with credentials echo
  // what the preflight asked for instead.
  const methods = c.allowMethods === '*' && c.credentials ? (ctx.header('access-control-request-method') ?? '*') : c.allowMethods;
  const headers = c.allowHeaders === '*' && c.credentials ? (ctx.header('access-control-request-headers') ?? '*') : c.allowHeaders;
  setHeader(flat, 'Access-Control-Allow-Methods', methods);
  setHeader(flat, 'Access-Control-Allow-Headers', headers);
  setHeader(flat, 'Access-Control-Max-Age', c.maxAge);
}

function splitList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
