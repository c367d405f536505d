import type { IncomingHttpHeaders } from 'node:http';
import type { NodeRef } from '../balancer/types.js';
import { applyHeaderOpsToObject } from '../plugins/header-ops.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import { HOP_BY_HOP } from './hop-by-hop.js';
import { nodeHostHeader } from './request-head.js';
import type { UpstreamSettings } from './upstream-settings.js';

/** Headers the gateway sets itself (or that HTTP/2 carries as `:authority`): never copied as sent. */
const REPLACED = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'x-consumer-username']);

export interface H2RequestSource {
  /** Lower-case names; HTTP/2 clients' pseudo-headers included. */
  headers: IncomingHttpHeaders;
  method: string;
  url: string;
  /** The client connection is TLS. */
  encrypted: boolean;
  remoteAddress: string;
}

/**
 * The header block of a request sent upstream as an HTTP/2 stream (gRPC and `scheme: h2c | h2`):
 * the client's headers minus hop-by-hop ones (RFC 9113 §8.2.2 forbids them), the pseudo-headers
 * for the upstream, forwarding headers, and the plugins' rewrites and header edits.
 */
export function h2RequestHeaders(req: H2RequestSource, node: NodeRef, s: UpstreamSettings, plugins: PluginContext | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const h = req.headers;
  const connectionListed = typeof h.connection === 'string' ? h.connection.toLowerCase().split(/\s*,\s*/) : undefined;
  for (const name in h) {
    if (name.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP.has(name) || REPLACED.has(name) || connectionListed?.includes(name)) continue;
    const value = h[name];
    if (value !== undefined) out[name] = value;
  }
  const authority = (h[':authority'] as string | undefined) ?? h.host;
  out[':method'] = plugins?.upstreamMethod ?? req.method;
  out[':path'] = plugins?.upstreamTarget() ?? req.url;
  out[':scheme'] = s.https ? 'https' : 'http';
  out[':authority'] =
    plugins?.upstreamHost ?? (s.passHost === 'rewrite' && s.upstreamHost ? s.upstreamHost : s.passHost === 'pass' && authority ? authority : nodeHostHeader(node, s.https));
  const prior = h['x-forwarded-for'];
  out['x-forwarded-for'] = prior === undefined ? req.remoteAddress : `${prior}, ${req.remoteAddress}`;
  out['x-forwarded-proto'] = req.encrypted ? 'https' : 'http';
  if (authority) out['x-forwarded-host'] = authority;
  out['x-real-ip'] = req.remoteAddress;
  if (plugins?.consumer) out['x-consumer-username'] = plugins.consumer.username;
  const ops = plugins?.upstreamHeaderOps;
  if (ops !== undefined) applyHeaderOpsToObject(out as IncomingHttpHeaders, ops);
  return out;
}
