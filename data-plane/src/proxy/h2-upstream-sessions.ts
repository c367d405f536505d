import http2, { type ClientHttp2Session } from 'node:http2';
import type { NodeRef } from '../balancer/types.js';
import { serverNameFor, type UpstreamSettings } from './upstream-settings.js';

/**
 * One HTTP/2 session per upstream node (gRPC): HTTP/2 multiplexes every request of a node over
 * it, so there is no pool of sockets to keep. A session that closes or fails is dropped and
 * the next request opens a new one.
 */
export class H2UpstreamSessions {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  session(node: NodeRef, settings: UpstreamSettings): ClientHttp2Session {
    const key = settings.poolPrefix + node.key;
    const open = this.sessions.get(key);
    if (open !== undefined && !open.closed && !open.destroyed) return open;
    const host = node.host.includes(':') ? `[${node.host}]` : node.host;
    const session = settings.https
      ? http2.connect(`https://${host}:${node.port}`, { ...settings.tls, ALPNProtocols: ['h2'], servername: serverNameFor(settings, node.host) })
      : http2.connect(`http://${host}:${node.port}`);
    session.on('error', () => undefined); // streams report their own errors; 'close' drops the session
    session.once('close', () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    });
    session.unref();
    this.sessions.set(key, session);
    return session;
  }

  close(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }
}
