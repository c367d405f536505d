// Sends one case the way the suite does and judges it with its mode (README §4).
import crypto from 'node:crypto';
import type { ConformanceCase, TlsTrustRef } from './cases-file.js';
import { sendHttp, type HttpExchange, type HttpReply } from './clients/http-client.js';
import { callGrpcEcho, type GrpcReply } from './clients/grpc-client.js';
import { dnsQuery, isRejectedDial, tcpEchoDialogue, tlsDial, udpExchange, websocketEcho } from './clients/stream-clients.js';
import { echoedRequest, judgeHttp, type SentRequest } from './judges/http-judge.js';
import { judgeMirrorCount, judgeWeights } from './judges/weights-judge.js';
import type { ObjectStore } from './object-store.js';
import type { RunningPod } from './workloads.js';

export interface CaseContext {
  store: ObjectStore;
  pods(): RunningPod[];
  /** Declared listener port → the port actually bound. */
  mapPort(port: number): number;
  /** Milliseconds this wait may take (MaxTimeToConsistency capped by the run's budget). */
  timeoutMs(): number;
  requestTimeoutMs: number;
  consecutiveSuccesses: number;
}

type Attempt = { ok: true } | { ok: false; reason: string; fatal?: boolean; notReady?: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errText = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return `${e.code ? `${e.code}: ` : ''}${e.message}`;
};

function decodeRef(store: ObjectStore, ref: TlsTrustRef | { namespace: string; name: string }, key: string): string | undefined {
  const kind = 'kind' in ref ? ref.kind : 'Secret';
  const o = store.get(kind, ref.name, ref.namespace) as any;
  const value = o?.data?.[key];
  if (value === undefined) return undefined;
  return kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value;
}

/** The Gateway's status address (README: "its value plus the listener port is the target"). */
function gatewayAddress(c: ConformanceCase, ctx: CaseContext): string | undefined {
  const gw = ctx.store.get('Gateway', c.target.gateway.name, c.target.gateway.namespace) as any;
  return gw?.status?.addresses?.find((a: { value?: string }) => a.value)?.value;
}

/** Poll until `needed` attempts in a row succeed; an attempt marked fatal ends it at once. */
async function eventually(ctx: CaseContext, needed: number, attempt: () => Promise<Attempt>, intervalMs = 100): Promise<string | undefined> {
  const deadline = Date.now() + ctx.timeoutMs();
  let streak = 0;
  let last = 'no attempt made';
  for (;;) {
    const r = await attempt();
    if (r.ok) {
      if (++streak >= needed) return undefined;
      continue;
    }
    if (r.fatal) return r.reason;
    streak = 0;
    last = r.reason;
    if (Date.now() > deadline) return `not satisfied within ${Math.round(ctx.timeoutMs() / 1000)} s: ${last}`;
    await sleep(intervalMs);
  }
}

const withQuery = (path: string, name: string, value: string) => `${path}${path.includes('?') ? '&' : '?'}${name}=${value}`;

/** Builds the HTTP request of a case (per attempt: fresh UUIDs, request ids, jitter). */
function httpExchange(c: ConformanceCase, ctx: CaseContext, address: string, vars: { uuid?: string; requestId?: string; jitter?: boolean }) {
  const r = c.request;
  let path: string = r.path;
  if (vars.uuid) path = path.replaceAll('{uuid}', vars.uuid);
  if (vars.requestId && c.request_id_query_param) path = withQuery(path, c.request_id_query_param, vars.requestId);
  const declaredPort = c.target.port;
  const host: string = r.host ?? (declaredPort === 80 || declaredPort === 443 ? address : `${address}:${declaredPort}`);
  const setHeader = Object.entries(c.backend_set_response_headers ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const headers: Record<string, string> = {
    ...r.headers,
    ...(vars.jitter && Math.random() < 0.5 ? { 'X-Jitter': String(Math.floor(Math.random() * 10000)) } : {}),
  };
  const tls = r.tls
    ? {
        serverName: r.tls.server_name,
        ca: decodeRef(ctx.store, r.tls.trust, r.tls.trust.key) ?? '',
        cert: r.tls.client_certificate ? decodeRef(ctx.store, r.tls.client_certificate, 'tls.crt') : undefined,
        key: r.tls.client_certificate ? decodeRef(ctx.store, r.tls.client_certificate, 'tls.key') : undefined,
      }
    : undefined;
  const exchange: HttpExchange = {
    protocol: r.protocol,
    address,
    port: ctx.mapPort(declaredPort),
    method: r.method,
    host,
    path,
    headers: { ...headers, 'X-Echo-Set-Header': setHeader },
    tls,
    timeoutMs: ctx.requestTimeoutMs,
  };
  const sent: SentRequest = {
    method: r.method,
    host: r.host ?? null,
    path,
    headers,
    scheme: r.protocol === 'HTTP' || r.protocol === 'H2C_PRIOR_KNOWLEDGE' ? 'http' : 'https',
  };
  const expect = structuredClone(c.expect);
  if (expect.backend_request?.path) {
    let p = expect.backend_request.path;
    if (vars.uuid) p = p.replaceAll('{uuid}', vars.uuid);
    if (vars.requestId && c.request_id_query_param) p = withQuery(p, c.request_id_query_param, vars.requestId);
    expect.backend_request.path = p;
  }
  return { exchange, sent, expect };
}

async function httpAttempt(
  c: ConformanceCase,
  ctx: CaseContext,
  vars: { uuid?: string; requestId?: string; jitter?: boolean } = {},
): Promise<{ attempt: Attempt; reply?: HttpReply; path?: string }> {
  const address = gatewayAddress(c, ctx);
  if (!address) return { attempt: { ok: false, reason: `Gateway ${c.target.gateway.name} has no status address` } };
  const { exchange, sent, expect } = httpExchange(c, ctx, address, vars);
  let reply: HttpReply;
  try {
    reply = await sendHttp(exchange);
  } catch (err) {
    return {
      attempt: { ok: false, reason: `${exchange.protocol} ${address}:${exchange.port}${exchange.path}: ${errText(err)}`, notReady: true },
      path: exchange.path,
    };
  }
  const why = judgeHttp(expect, sent, reply, (ref) => decodeRef(ctx.store, ref, 'tls.crt'));
  return { attempt: why ? { ok: false, reason: `${exchange.method} ${exchange.host}${exchange.path}: ${why}` } : { ok: true }, reply, path: exchange.path };
}

function mirrorLogged(ctx: CaseContext, mirrors: { namespace: string; name: string }[], path: string): string | undefined {
  for (const m of mirrors) {
    const pods = ctx.pods().filter((p) => p.namespace === m.namespace && p.labels.app === m.name);
    const needle = `Echoing back request made to ${path} to client`;
    if (!pods.some((p) => p.log.some((line) => line.startsWith(needle)))) return `mirror ${m.name} did not log ${path}`;
  }
  return undefined;
}

async function runHttp(c: ConformanceCase, ctx: CaseContext): Promise<string | undefined> {
  const need = ctx.consecutiveSuccesses;
  switch (c.mode) {
    case 'eventually_consistent':
    case 'eventually_consistent_fresh_uuid': {
      let lastPath: string | undefined;
      const requestId = c.request_id_query_param ? crypto.randomUUID() : undefined;
      const why = await eventually(ctx, need, async () => {
        const r = await httpAttempt(c, ctx, { uuid: c.mode === 'eventually_consistent_fresh_uuid' ? crypto.randomUUID() : undefined, requestId });
        lastPath = r.path;
        return r.attempt;
      });
      if (why || !c.expect.mirrored_to?.length || !lastPath) return why;
      const deadline = Date.now() + ctx.requestTimeoutMs;
      for (;;) {
        const missing = mirrorLogged(ctx, c.expect.mirrored_to, lastPath);
        if (!missing) return undefined;
        if (Date.now() > deadline) return missing;
        await sleep(100);
      }
    }
    case 'expect_failure':
      return eventually(ctx, need, async () => {
        const { attempt, reply } = await httpAttempt(c, ctx);
        if (!reply) return attempt.ok ? attempt : { ...attempt, notReady: true };
        if ((c.expect.status_not ?? [200]).includes(reply.status))
          return { ok: false, fatal: true, reason: `got status ${reply.status}, which must never be returned` };
        if (reply.status === 408 || reply.status === 504) return { ok: false, reason: `status ${reply.status} (not ready)` };
        return { ok: true };
      });
    case 'expect_tls_failure':
      return eventually(ctx, need, async () => {
        const { reply } = await httpAttempt(c, ctx);
        return reply ? { ok: false, reason: `TLS handshake succeeded and got HTTP ${reply.status}; expected the handshake to fail` } : { ok: true };
      });
    case 'weighted_distribution':
      return weighted(c, ctx, async () => {
        const r = await httpAttempt(c, ctx, { jitter: true });
        if (!r.attempt.ok) throw new Error(r.attempt.reason);
        return echoedRequest(r.reply!).pod ?? '';
      });
    case 'sampled_backend_header_matches_pod': {
      for (let i = 0; i < (c.samples ?? 100); i++) {
        const address = gatewayAddress(c, ctx);
        if (!address) return 'Gateway has no status address';
        const { exchange } = httpExchange(c, ctx, address, {});
        let reply: HttpReply;
        try {
          reply = await sendHttp(exchange);
        } catch (err) {
          return `request ${i + 1}: ${errText(err)}`;
        }
        const echo = echoedRequest(reply);
        const values = Object.entries(echo.headers ?? {})
          .filter(([k]) => k.toLowerCase() === 'backend')
          .flatMap(([, v]) => v);
        if (values.length !== 1) return `request ${i + 1}: backend saw ${values.length} Backend header values (status ${reply.status})`;
        if (!(echo.pod ?? '').startsWith(values[0])) return `request ${i + 1}: Backend ${values[0]} but pod ${echo.pod}`;
      }
      return undefined;
    }
    case 'percentage_mirror': {
      const first = await eventually(ctx, need, async () => (await httpAttempt(c, ctx, { requestId: crypto.randomUUID() })).attempt);
      if (first) return first;
      const mirror = c.expect.mirrored_to?.[0];
      const dist = c.distribution!;
      let last = '';
      for (let attempt = 0; attempt < dist.max_attempts; attempt++) {
        const requestId = crypto.randomUUID();
        const deadline = Date.now() + ctx.timeoutMs() * 2;
        let path = '';
        let sent = 0;
        const worker = async () => {
          while (sent < dist.total_requests) {
            sent++;
            for (;;) {
              const r = await httpAttempt(c, ctx, { requestId });
              path = r.path ?? path;
              if (r.attempt.ok) break;
              if (Date.now() > deadline) throw new Error(r.attempt.reason);
            }
          }
        };
        try {
          await Promise.all(Array.from({ length: dist.concurrency ?? 10 }, worker));
        } catch (err) {
          return `percentage mirror: ${(err as Error).message}`;
        }
        await sleep(500); // mirrored requests are fire-and-forget; let the last ones land
        const needle = `Echoing back request made to ${path} to client`;
        const count = ctx
          .pods()
          .filter((p) => p.namespace === mirror!.namespace && p.labels.app === mirror!.name)
          .reduce((n, p) => n + p.log.filter((l) => l.startsWith(needle)).length, 0);
        const why = judgeMirrorCount(count, dist.total_requests, mirror!.percent ?? 100, dist.tolerance_std_devs ?? 3);
        if (!why) return undefined;
        last = why;
      }
      return last;
    }
    default:
      return `mode ${c.mode} for http is not implemented by the runner`;
  }
}

/** 500 exchanges, 10 at a time, retried up to max_attempts times (README §4 weighted_distribution). */
async function weighted(c: ConformanceCase, ctx: CaseContext, one: () => Promise<string>): Promise<string | undefined> {
  const dist = c.distribution!;
  const overall = Date.now() + ctx.timeoutMs() * 3;
  let last = '';
  for (let attempt = 0; attempt < dist.max_attempts && Date.now() < overall; attempt++) {
    const pods: string[] = [];
    let sent = 0;
    let failure: string | undefined;
    const worker = async () => {
      while (sent < dist.total_requests && !failure) {
        sent++;
        try {
          pods.push(await one());
        } catch (err) {
          failure = (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: dist.concurrency ?? 10 }, worker));
    last = failure ?? judgeWeights(pods, dist.expected_weights ?? {}, dist.tolerance ?? 0.05) ?? '';
    if (!last) return undefined;
    if (failure) await sleep(200);
  }
  return `weighted distribution: ${last}`;
}

function judgeGrpc(c: ConformanceCase, r: GrpcReply): string | undefined {
  const e = c.expect;
  if (e.code && r.code !== e.code) return `gRPC code ${r.code}, expected ${e.code}`;
  if (r.code !== 'OK') return undefined;
  if (e.echoed_full_method && r.fullMethod !== e.echoed_full_method) return `echoed method ${r.fullMethod}, expected ${e.echoed_full_method}`;
  const b = e.backend as { namespace: string | null; pod_prefix: string } | undefined;
  if (b?.namespace && r.namespace !== b.namespace) return `backend namespace ${r.namespace}, expected ${b.namespace}`;
  if (b && !(r.pod ?? '').startsWith(b.pod_prefix)) return `pod ${r.pod}, expected ${b.pod_prefix}*`;
  return undefined;
}

async function grpcCall(c: ConformanceCase, ctx: CaseContext, jitter = false): Promise<GrpcReply | string> {
  const address = gatewayAddress(c, ctx);
  if (!address) return `Gateway ${c.target.gateway.name} has no status address`;
  const port = c.target.port;
  const metadata = { ...(c.request.metadata ?? {}), ...(jitter && Math.random() < 0.5 ? { 'x-jitter': String(Math.floor(Math.random() * 10000)) } : {}) };
  return callGrpcEcho({
    address,
    port: ctx.mapPort(port),
    authority: c.request.authority ?? (port === 80 ? address : `${address}:${port}`),
    method: c.request.method,
    metadata,
    timeoutMs: ctx.requestTimeoutMs,
  });
}

async function runGrpc(c: ConformanceCase, ctx: CaseContext): Promise<string | undefined> {
  if (c.mode === 'weighted_distribution') {
    return weighted(c, ctx, async () => {
      const r = await grpcCall(c, ctx, true);
      if (typeof r === 'string') throw new Error(r);
      if (r.code !== 'OK') throw new Error(`gRPC code ${r.code}`);
      return r.pod ?? '';
    });
  }
  return eventually(ctx, c.mode === 'eventually' ? 1 : ctx.consecutiveSuccesses, async () => {
    const r = await grpcCall(c, ctx);
    if (typeof r === 'string') return { ok: false, reason: r };
    if (c.mode === 'expect_failure') {
      if (r.code === 'OK') return { ok: false, fatal: true, reason: 'gRPC call succeeded; it must fail' };
      // A transport failure is "not ready"; an answer from the gateway (even Unavailable) is a failure response.
      const transport =
        r.code === 'DeadlineExceeded' || (r.code === 'Unavailable' && /no connection|connection dropped|ECONN|refused|socket/i.test(r.details ?? ''));
      if (transport) return { ok: false, reason: `gRPC ${r.code}: ${r.details ?? ''} (not ready)` };
      return { ok: true };
    }
    const why = judgeGrpc(c, r);
    return why ? { ok: false, reason: why } : { ok: true };
  });
}

async function runStream(c: ConformanceCase, ctx: CaseContext): Promise<string | undefined> {
  const address = () => gatewayAddress(c, ctx);
  const port = ctx.mapPort(c.target.port);
  const tcpOnce = async (short = false) => {
    const a = address();
    if (!a) throw new Error(`Gateway ${c.target.gateway.name} has no status address`);
    const t = c.request.tls;
    return tcpEchoDialogue({
      address: a,
      port,
      timeoutMs: ctx.requestTimeoutMs,
      short,
      tls: t ? { serverName: t.server_name, ca: t.trust ? decodeRef(ctx.store, t.trust, t.trust.key) : undefined } : undefined,
    });
  };
  const udpOnce = async (timeoutMs: number) => {
    const a = address();
    if (!a) throw new Error(`Gateway ${c.target.gateway.name} has no status address`);
    return JSON.parse((await udpExchange({ address: a, port, payload: Buffer.from(c.request.payload), timeoutMs })).toString('utf8'));
  };
  const attempt = async (fn: () => Promise<string | undefined>): Promise<Attempt> => {
    try {
      const why = await fn();
      return why ? { ok: false, reason: why } : { ok: true };
    } catch (err) {
      return { ok: false, reason: errText(err) };
    }
  };
  if (c.kind === 'tcp' && c.mode === 'eventually') {
    return eventually(ctx, 1, () =>
      attempt(async () => {
        const r = await tcpOnce();
        const e = c.expect;
        if (e.backend_is_tls !== undefined && r.isTls !== e.backend_is_tls) return `backend IS_TLS ${r.isTls}, expected ${e.backend_is_tls}`;
        const b = e.backend as { namespace: string; pod_prefix: string } | undefined;
        if (b && r.test.namespace !== b.namespace) return `backend namespace ${r.test.namespace}, expected ${b.namespace}`;
        if (b && !(r.test.pod ?? '').startsWith(b.pod_prefix)) return `pod ${r.test.pod}, expected ${b.pod_prefix}*`;
        if (e.backend_tls_server_name && r.test.tls?.serverName !== e.backend_tls_server_name)
          return `backend SNI ${r.test.tls?.serverName}, expected ${e.backend_tls_server_name}`;
        return undefined;
      }),
    );
  }
  if (c.kind === 'tcp' && c.mode === 'sampled_backend') {
    const ready = await eventually(ctx, 1, () => attempt(async () => void (await tcpOnce(true))));
    if (ready) return ready;
    for (let i = 0; i < (c.samples ?? 100); i++) {
      const r = await tcpOnce(true).catch((err) => err as Error);
      if (r instanceof Error) return `exchange ${i + 1}: ${r.message}`;
      if (c.expect.never_pod_prefix && (r.test.pod ?? '').startsWith(c.expect.never_pod_prefix)) return `exchange ${i + 1} reached ${r.test.pod}`;
      if (c.expect.every_pod_prefix && !(r.test.pod ?? '').startsWith(c.expect.every_pod_prefix))
        return `exchange ${i + 1} reached ${r.test.pod}, expected ${c.expect.every_pod_prefix}*`;
    }
    return undefined;
  }
  if (c.kind === 'tcp' && c.mode === 'weighted_distribution') return weighted(c, ctx, async () => (await tcpOnce(true)).test.pod ?? '');
  if (c.kind === 'udp' && c.mode === 'eventually') {
    return eventually(ctx, 1, () =>
      attempt(async () => {
        const reply = await udpOnce(2000);
        if (c.expect.service && reply.service !== c.expect.service) return `UDP reply from service ${reply.service}, expected ${c.expect.service}`;
        if (c.expect.namespace && reply.namespace !== c.expect.namespace) return `UDP reply namespace ${reply.namespace}, expected ${c.expect.namespace}`;
        return undefined;
      }),
    );
  }
  if (c.kind === 'udp' && c.mode === 'sampled_backend') {
    const deadline = Date.now() + ctx.timeoutMs();
    let last = 'no batch sent';
    while (Date.now() < deadline) {
      try {
        for (let i = 0; i < (c.samples ?? 20); i++) {
          const reply = await udpOnce(2000);
          const backend = String(reply.pod ?? '')
            .split('-')
            .slice(0, -2)
            .join('-');
          if (backend !== c.expect.every_backend) return `datagram answered by ${reply.pod}, expected ${c.expect.every_backend}`;
        }
        return undefined;
      } catch (err) {
        last = errText(err);
        await sleep(1000);
      }
    }
    return `no complete batch: ${last}`;
  }
  if (c.kind === 'udp' && c.mode === 'weighted_distribution')
    return weighted(c, ctx, async () => String((await udpOnce((c.request.per_datagram_timeout_s ?? 2) * 1000)).pod ?? ''));
  if (c.kind === 'dns') {
    return eventually(
      ctx,
      1,
      () =>
        attempt(async () => {
          const a = address();
          if (!a) return 'Gateway has no status address';
          const reply = await udpExchange({ address: a, port, payload: dnsQuery(c.request.dns_question.name), timeoutMs: 1000 });
          return reply.length >= 12 && reply[2] & 0x80 ? undefined : 'reply is not a DNS response';
        }),
      1000,
    );
  }
  if (c.kind === 'tls_connection') {
    return eventually(ctx, 1, () =>
      attempt(async () => {
        const a = address();
        if (!a) return 'Gateway has no status address';
        const r = await tlsDial({ address: a, port, serverName: c.request.server_name, timeoutMs: ctx.requestTimeoutMs });
        return isRejectedDial(r)
          ? undefined
          : r.ok
            ? `TLS handshake with SNI ${c.request.server_name} succeeded; expected EOF/reset`
            : `handshake failed with ${r.code ?? ''} ${r.message ?? ''}; expected EOF/reset`;
      }),
    );
  }
  if (c.kind === 'websocket') {
    return eventually(ctx, ctx.consecutiveSuccesses, () =>
      attempt(async () => {
        const a = address();
        if (!a) return 'Gateway has no status address';
        await websocketEcho({
          address: a,
          port,
          host: c.target.port === 80 ? a : `${a}:${c.target.port}`,
          origin: `ws://gateway/${c.name}`,
          messages: c.request.messages,
          timeoutMs: ctx.requestTimeoutMs,
        });
        return undefined;
      }),
    );
  }
  return `${c.kind} mode ${c.mode} is not implemented by the runner`;
}

/** Undefined when the case passes, else the first reason it failed. */
export function runCase(c: ConformanceCase, ctx: CaseContext): Promise<string | undefined> {
  if (c.kind === 'http') return runHttp(c, ctx);
  if (c.kind === 'grpc') return runGrpc(c, ctx);
  return runStream(c, ctx);
}
