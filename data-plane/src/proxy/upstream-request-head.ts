import type { OutgoingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { NodeRef } from '../balancer/types.js';
import { applyHeaderOps, type HeaderOp } from '../plugins/header-ops.js';
import type { PluginContext } from '../plugins/plugin-context.js';
import { clientAddress } from './client-address.js';
import type { RequestHead } from './front/client-side.js';
import { connectionTokens, HOP_BY_HOP } from './hop-by-hop.js';
import type { UpstreamSettings } from './upstream-settings.js';

/**
 * Request headers never copied from the client, lower case. Framing and hop-by-hop headers
 * (RFC 9110 §7.6.1) describe the client's connection, not the request; the rest the gateway
 * sets itself from what it knows. A `Connection` token can remove an ordinary header, but never
 * one of these, so a client cannot strip the framing or the Host the gateway sends.
 */
const NEVER_COPIED = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  // The gateway answers `100 Continue` itself, once the access phases allowed the request.
  'expect',
  // Belongs to an h2c upgrade, which is never passed on.
  'http2-settings',
]);

/**
 * Headers the gateway vouches for: set from what it knows, so a client's copy is dropped in
 * every spelling (`_` read as `-` by CGI-style frameworks, any case) even where header names
 * with underscores are allowed. `x-forwarded-for` is appended to, from its canonical spelling.
 */
const GATEWAY_SET = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'x-consumer-username']);

/** Everything an upstream attempt needs to write the request head, derived once per request. */
export interface OutgoingRequest {
  method: string;
  /** Path and query as forwarded (normalized, or rewritten by plugins). */
  target: string;
  /** The forwarded headers, flat `[name, value, ...]`, without Host and framing. */
  headers: string[];
  /** The Host the client asked for (after plugins), used when `passHost: pass`. */
  clientHost: string | undefined;
  /** `content-length` when the body has one, `chunked` when it streams without one, `none`. */
  framing: 'none' | 'length' | 'chunked';
  /** The body length for `length` framing. */
  length: string;
  /** The Upgrade token of a protocol switch being asked for; undefined for plain requests. */
  upgrade: string | undefined;
  /** The address this connection comes from: appended to X-Forwarded-For, as every proxy on the way does. */
  peerIp: string;
  /** The client, for X-Real-IP: the peer, or the address real-ip trusts a proxy in front to report. */
  realIp: string;
}

/**
 * The one builder of the request an upstream receives, for every protocol: the client's
 * headers minus those never copied and those its `Connection` names, the plugins' edits, then
 * the forwarding headers. HTTP/1.1 (`h1RequestHead`) and HTTP/2 (`h2RequestHeaders`) only
 * serialize it. Framing comes from the parsed request, never from a client header.
 */
export function outgoingRequest(req: RequestHead, plugins: PluginContext | undefined, upgrade: string | undefined): OutgoingRequest {
  const raw = req.rawHeaders;
  const headers = req.headers;
  const extraHop = connectionTokens(headers.connection);
  const out: string[] = [];
  let underscores = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    if (NEVER_COPIED.has(lower) || GATEWAY_SET.has(lower)) continue;
    if (lower.indexOf('_') >= 0) {
      if (GATEWAY_SET.has(lower.replace(/_/g, '-'))) continue;
      underscores = true;
    }
    if (extraHop !== undefined && extraHop.includes(lower)) continue;
    out.push(name, raw[i + 1]);
  }
  const ops = plugins?.upstreamHeaderOps;
  if (ops !== undefined) {
    // What a plugin sets (client-certificate headers, the consumer) it vouches for: the client's
    // copies go in every spelling, not only the one the plugin names.
    if (underscores) dropOtherSpellings(out, ops);
    applyHeaderOps(out, ops);
  }
  const query = plugins?.upstreamQuery ?? req.query;
  const path = plugins?.upstreamPath ?? req.path;
  const length = headers['content-length'];
  const peerIp = clientAddress(req.socket.remoteAddress);
  return {
    method: plugins?.upstreamMethod ?? req.method,
    target: query.length > 0 ? `${path}?${query}` : path,
    headers: out,
    clientHost: plugins?.upstreamHost ?? req.host,
    framing: headers['transfer-encoding'] !== undefined ? 'chunked' : length !== undefined ? 'length' : 'none',
    length: length ?? '',
    upgrade,
    peerIp,
    realIp: plugins?.clientAddress ?? peerIp,
  };
}

/** The Host an attempt sends: the client's (`pass`), the configured one (`rewrite`), or the node's. */
export function upstreamHost(out: OutgoingRequest, node: NodeRef, settings: UpstreamSettings, pluginHost: string | undefined): string {
  if (pluginHost !== undefined) return pluginHost;
  if (settings.passHost === 'pass') return out.clientHost ?? nodeHostHeader(node, settings.https);
  if (settings.passHost === 'rewrite' && settings.upstreamHost !== undefined) return settings.upstreamHost;
  return nodeHostHeader(node, settings.https);
}

/** The forwarding headers, from the socket and the request (never from what the client claimed about itself). */
function forwardingHeaders(req: RequestHead, out: OutgoingRequest): { for: string; proto: string; port: string } {
  const prior = req.headers['x-forwarded-for'];
  return {
    for: prior === undefined ? out.peerIp : `${prior}, ${out.peerIp}`,
    proto: (req.socket as TLSSocket).encrypted === true ? 'https' : 'http',
    port: String(req.socket.localPort),
  };
}

/** The HTTP/1.1 request head as ONE latin1 string. */
export function h1RequestHead(req: RequestHead, out: OutgoingRequest, host: string): string {
  let head = `${out.method} ${out.target} HTTP/1.1\r\n`;
  const headers = out.headers;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  const fwd = forwardingHeaders(req, out);
  head +=
    `Host: ${host}\r\n` +
    `X-Forwarded-For: ${fwd.for}\r\n` +
    `X-Forwarded-Proto: ${fwd.proto}\r\n` +
    (req.host === undefined ? '' : `X-Forwarded-Host: ${req.host}\r\n`) +
    `X-Forwarded-Port: ${fwd.port}\r\n` +
    `X-Real-IP: ${out.realIp}\r\n`;
  if (out.upgrade !== undefined) head += `Connection: Upgrade\r\nUpgrade: ${out.upgrade}\r\n`;
  else if (out.framing === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
  else if (out.framing === 'length') head += `Content-Length: ${out.length}\r\n`;
  return head + '\r\n';
}

/** The HTTP/2 header block: pseudo-headers, then the same headers as HTTP/1.1 (names in lower case). */
export function h2RequestHeaders(req: RequestHead, out: OutgoingRequest, host: string, settings: UpstreamSettings): OutgoingHttpHeaders {
  const block: OutgoingHttpHeaders = {
    ':method': out.method,
    ':path': out.target,
    ':scheme': settings.https ? 'https' : 'http',
    ':authority': host,
  };
  const headers = out.headers;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    const prev = block[name];
    block[name] = prev === undefined ? headers[i + 1] : Array.isArray(prev) ? [...prev, headers[i + 1]] : [String(prev), headers[i + 1]];
  }
  const fwd = forwardingHeaders(req, out);
  block['x-forwarded-for'] = fwd.for;
  block['x-forwarded-proto'] = fwd.proto;
  if (req.host !== undefined) block['x-forwarded-host'] = req.host;
  block['x-forwarded-port'] = fwd.port;
  block['x-real-ip'] = out.realIp;
  if (out.framing === 'length') block['content-length'] = out.length;
  return block;
}

/** Removes `a_b` spellings of names the ops set or remove (only reached where underscores are allowed). */
function dropOtherSpellings(flat: string[], ops: readonly HeaderOp[]): void {
  const targeted = new Set<string>();
  for (const op of ops) if (op.op !== 'add') targeted.add(op.lowerName.replace(/_/g, '-'));
  let w = 0;
  for (let r = 0; r < flat.length; r += 2) {
    const name = flat[r];
    if (name.indexOf('_') >= 0 && targeted.has(name.toLowerCase().replace(/_/g, '-'))) continue;
    flat[w++] = name;
    flat[w++] = flat[r + 1];
  }
  flat.length = w;
}

const nodeHostCache = new WeakMap<NodeRef, string>();

/** `host:port` of a node as a Host header, bracketing IPv6 and leaving out the scheme's default port. */
export function nodeHostHeader(node: NodeRef, https: boolean): string {
  let value = nodeHostCache.get(node);
  if (value === undefined) {
    const host = node.host.includes(':') ? `[${node.host}]` : node.host;
    value = node.port === (https ? 443 : 80) ? host : `${host}:${node.port}`;
    nodeHostCache.set(node, value);
  }
  return value;
}
