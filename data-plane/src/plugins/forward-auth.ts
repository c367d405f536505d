import type { Dispatcher } from 'undici';
import { forwardAuthSpec, type PluginConfigOf } from '@sluice/model';
import { lazyRequire } from './lazy-require.js';
import { definePlugin, type PrepareEnv, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof forwardAuthSpec>;

interface Compiled {
  uri: string;
  /** [name as configured, lower-case name] */
  requestHeaders: readonly (readonly [string, string])[];
  upstreamHeaders: readonly (readonly [string, string])[];
  clientHeaders: readonly (readonly [string, string])[];
  timeout: number;
  keepalive: boolean;
  dispatcher: Dispatcher;
  request: Undici['request'];
  statusOnError: number;
  allowDegradation: boolean;
  /** auth-signin: a 401 becomes a 302 here, with the original URL in `signinParam`. */
  signinUrl: string | undefined;
  signinParam: string;
}

/** A denial's body is relayed to the client; past this it is cut (an auth answer is small). */
const MAX_DENIAL_BODY = 64 * 1024;

type Undici = typeof import('undici');
/** undici is loaded when a route first uses forward-auth (lazy-require.ts). */
const loadUndici = lazyRequire<Undici>('undici');

const names = (list: readonly string[] | undefined) => (list ?? []).map((name) => [name, name.toLowerCase()] as const);

/**
 * forward-auth as in APISIX: a GET to the auth service with the chosen request headers and
 * X-Forwarded-*; 2xx lets the request on (copying upstreamHeaders from the answer), anything
 * else goes back to the client. Connections to the auth service are pooled per worker.
 */
export const forwardAuthPlugin = definePlugin({
  spec: forwardAuthSpec,
  prepare(config: Config, env: PrepareEnv): Compiled {
    const keepalive = config.keepalive ?? true;
    const keepaliveTimeout = config.keepaliveTimeout ?? 60_000;
    const pool = config.keepalivePool ?? 5;
    const undici = loadUndici();
    // One agent per pool shape, kept across recompiles so idle connections are reused.
    const dispatcher = env.state.getOrCreate(
      `forward-auth|agent|${keepaliveTimeout}|${pool}`,
      () => new undici.Agent({ keepAliveTimeout: keepaliveTimeout, keepAliveMaxTimeout: keepaliveTimeout, connections: pool }),
    );
    return {
      uri: config.uri,
      requestHeaders: names(config.requestHeaders),
      upstreamHeaders: names(config.upstreamHeaders),
      clientHeaders: names(config.clientHeaders),
      timeout: config.timeout ?? 3000,
      keepalive,
      dispatcher,
      request: undici.request,
      statusOnError: config.statusOnError ?? 403,
      allowDegradation: config.allowDegradation ?? false,
      signinUrl: config.signin?.url,
      signinParam: config.signin?.redirectParam ?? 'rd',
    };
  },
  access(ctx, c): Promise<ShortCircuit | undefined> {
    return askAuthService(ctx, c).catch(() => (c.allowDegradation ? undefined : { status: c.statusOnError }));
  },
});

async function askAuthService(ctx: PluginContext, c: Compiled): Promise<ShortCircuit | undefined> {
  const headers: Record<string, string> = {
    'x-forwarded-proto': ctx.scheme,
    'x-forwarded-method': ctx.method,
    'x-forwarded-host': ctx.host,
    'x-forwarded-uri': ctx.rawQuery.length ? `${ctx.path}?${ctx.rawQuery}` : ctx.path,
    'x-forwarded-for': forwardedFor(ctx),
  };
  for (const [, lower] of c.requestHeaders) {
    const value = ctx.header(lower);
    if (value !== undefined) headers[lower] = value;
  }
  const res = await c.request(c.uri, {
    method: 'GET',
    headers,
    dispatcher: c.dispatcher,
    reset: !c.keepalive,
    signal: AbortSignal.timeout(c.timeout),
  });
  if (res.statusCode >= 200 && res.statusCode < 300) {
    await res.body.dump();
    for (const [name, lower] of c.upstreamHeaders) {
      const value = headerValue(res.headers[lower]);
      // Absent in the answer: removed, so a client cannot supply it on its own.
      if (value === undefined) ctx.removeUpstreamHeader(name);
      else ctx.setUpstreamHeader(name, value);
    }
    return undefined;
  }
  if (res.statusCode === 401 && c.signinUrl !== undefined) {
    await res.body.dump();
    return { status: 302, headers: { location: signinLocation(ctx, c.signinUrl, c.signinParam) } };
  }
  const answer: Record<string, string> = {};
  for (const [name, lower] of c.clientHeaders) {
    const value = headerValue(res.headers[lower]);
    if (value !== undefined) answer[name] = value;
  }
  const contentType = headerValue(res.headers['content-type']);
  if (contentType !== undefined && answer['content-type'] === undefined && answer['Content-Type'] === undefined) answer['content-type'] = contentType;
  return { status: res.statusCode, headers: answer, body: await readCapped(res.body, MAX_DENIAL_BODY) };
}

/** ingress-nginx: `<auth-signin>?rd=$scheme://$host$request_uri` (the param appended to any query the URL has). */
export function signinLocation(ctx: PluginContext, signinUrl: string, param: string): string {
  const original = `${ctx.scheme}://${ctx.host}${ctx.rawQuery.length ? `${ctx.path}?${ctx.rawQuery}` : ctx.path}`;
  const hash = signinUrl.indexOf('#');
  const base = hash < 0 ? signinUrl : signinUrl.slice(0, hash);
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}${param}=${encodeURIComponent(original)}${hash < 0 ? '' : signinUrl.slice(hash)}`;
}

function forwardedFor(ctx: PluginContext): string {
  const prior = ctx.header('x-forwarded-for');
  return prior ? `${prior}, ${ctx.clientAddress}` : ctx.clientAddress;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max);
}
