import { clientAddress } from './client-address.js';
import type { TLSSocket } from 'node:tls';
import type { NodeRef } from '../balancer/types.js';
import type { RequestHead } from './front/client-side.js';
import { connectionTokens } from './hop-by-hop.js';
import type { UpstreamSettings } from './upstream-settings.js';
import { applyHeaderOps } from '../plugins/header-ops.js';
import type { PluginContext } from '../plugins/plugin-context.js';

/** How each request header is treated; anything not listed is forwarded as received. */
const Treat = {
  Drop: 1,
  /** Dropped, unless the head is an upgrade handshake (passed through exactly). */
  UpgradeOnly: 2,
} as const;
type Treat = (typeof Treat)[keyof typeof Treat];

const TREATMENT = new Map<string, Treat>([
  ['keep-alive', Treat.Drop],
  ['proxy-connection', Treat.Drop],
  ['proxy-authenticate', Treat.Drop],
  ['proxy-authorization', Treat.Drop],
  ['te', Treat.Drop],
  ['trailer', Treat.Drop],
  ['transfer-encoding', Treat.Drop],
  // Node's server already answered `100 Continue`; the body follows without waiting.
  ['expect', Treat.Drop],
  // Set below from what we know, never trusted from the client.
  ['host', Treat.Drop],
  ['x-forwarded-for', Treat.Drop],
  ['x-forwarded-proto', Treat.Drop],
  ['x-forwarded-host', Treat.Drop],
  ['x-forwarded-port', Treat.Drop],
  ['x-real-ip', Treat.Drop],
  // Only an auth plugin may say who the consumer is; a client-sent value never passes.
  ['x-consumer-username', Treat.Drop],
  ['connection', Treat.UpgradeOnly],
  ['upgrade', Treat.UpgradeOnly],
]);

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

/**
 * The request head sent upstream, as ONE string: request line, the client's headers minus
 * hop-by-hop ones (an upgrade keeps `Connection`/`Upgrade` exactly), then Host per `passHost`
 * and the X-Forwarded-* / X-Real-IP set. `framing` is appended verbatim (e.g. chunked).
 */
export function buildRequestHead(
  req: RequestHead,
  node: NodeRef,
  settings: UpstreamSettings,
  upgrade: boolean,
  framing: string,
  plugins?: PluginContext,
): string {
  let raw = req.rawHeaders;
  const headers = req.headers;
  const extraHop = upgrade ? undefined : connectionTokens(headers.connection);
  let head =
    plugins === undefined
      ? `${req.method} ${req.url} HTTP/1.1\r\n`
      : `${plugins.upstreamMethod ?? req.method} ${plugins.upstreamTarget()} HTTP/1.1\r\n`;
  const ops = plugins?.upstreamHeaderOps;
  let opsApplied = false;
  if (ops !== undefined) {
    // Plugins edit the client's headers; what they set (e.g. X-Consumer-Username) is theirs to
    // send, so the client's own copies of those names are dropped first.
    const edited: string[] = [];
    for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() !== 'x-consumer-username') edited.push(raw[i], raw[i + 1]);
    applyHeaderOps(edited, ops);
    raw = edited;
    opsApplied = true;
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    const treat = TREATMENT.get(lower);
    if (treat === Treat.Drop && !(opsApplied && lower === 'x-consumer-username')) continue;
    if (treat === Treat.UpgradeOnly && !upgrade) continue;
    if (extraHop !== undefined && extraHop.includes(lower)) continue;
    head += `${name}: ${raw[i + 1]}\r\n`;
  }
  const socket = req.socket;
  const clientIp = clientAddress(socket.remoteAddress);
  const clientHost = headers.host;
  const priorFor = headers['x-forwarded-for'];
  let host: string;
  if (plugins?.upstreamHost !== undefined) host = plugins.upstreamHost;
  else if (settings.passHost === 'pass') host = clientHost ?? nodeHostHeader(node, settings.https);
  else if (settings.passHost === 'rewrite' && settings.upstreamHost !== undefined) host = settings.upstreamHost;
  else host = nodeHostHeader(node, settings.https);
  head +=
    `Host: ${host}\r\n` +
    `X-Forwarded-For: ${priorFor === undefined ? clientIp : `${priorFor}, ${clientIp}`}\r\n` +
    `X-Forwarded-Proto: ${(socket as TLSSocket).encrypted === true ? 'https' : 'http'}\r\n` +
    (clientHost === undefined ? '' : `X-Forwarded-Host: ${clientHost}\r\n`) +
    `X-Forwarded-Port: ${socket.localPort}\r\n` +
    `X-Real-IP: ${clientIp}\r\n` +
    framing +
    '\r\n';
  return head;
}
