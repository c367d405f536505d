import net from 'node:net';
import type { SniCertificate, SniIndex } from '../compile/sni-index.js';
import type { StreamPort } from '../compile/stream-matcher.js';
import type { Logger } from '../observe/logger.js';
import type { StreamTraffic } from '../observe/stream-traffic.js';
import { TlsFront, type TlsPlan, type TlsTarget } from './tls-front.js';
import type { ClientCertificatePolicy } from './tls-terminators.js';

export interface MainHttpsPortOptions {
  /** The HTTP front (raw or node:http) that serves the decrypted HTTP/1.1 connections. */
  front: net.Server;
  /** The HTTP/2 server for connections that chose `h2` by ALPN. */
  h2: net.Server;
  logger: Logger;
  /** Counters for connections passed through to `tls` stream routes. */
  traffic: StreamTraffic;
}

/**
 * The main HTTPS port (`--https-port`): the TLS front with the `ssls` documents as its
 * identities, chosen by SNI (exact beats wildcard, `*` is the default, also for clients that
 * send no SNI), and `tls` stream routes on this port passed through by SNI (ingress-nginx
 * ssl-passthrough). Decrypted connections go to the same HTTP fronts as the plain port, so
 * routes, plugins and WebSocket work unchanged and `socket.encrypted` makes X-Forwarded-Proto
 * say https. New handshakes see a new index as soon as it is set; open connections keep theirs.
 */
export class MainHttpsPort {
  private readonly outer: net.Server;
  private readonly tlsFront: TlsFront;
  private index: SniIndex | undefined = undefined;
  private passthrough: StreamPort | undefined = undefined;

  constructor(private readonly opts: MainHttpsPortOptions) {
    this.tlsFront = new TlsFront(mainTlsPlan(undefined, undefined), { http: { front: opts.front, h2: opts.h2 }, logger: opts.logger, traffic: opts.traffic });
    this.outer = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.tlsFront.accept(socket));
  }

  setIndex(index: SniIndex | undefined): void {
    this.index = index;
    this.tlsFront.setPlan(mainTlsPlan(index, this.passthrough));
  }

  /** The `tls` stream routes of this port (their SNIs are passed through), or undefined for none. */
  setPassthrough(plan: StreamPort | undefined): void {
    this.passthrough = plan !== undefined && plan.protocol === 'tls' && plan.routes.length > 0 ? plan : undefined;
    this.tlsFront.setPlan(mainTlsPlan(this.index, this.passthrough));
  }

  listen(port: number, host: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      this.outer.once('error', reject);
      this.outer.listen(port, host, () => {
        this.outer.removeListener('error', reject);
        this.outer.on('error', (err) => this.opts.logger.warn({ err }, 'https listener error'));
        resolve((this.outer.address() as net.AddressInfo).port);
      });
    });
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    const address = this.outer.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  close(): void {
    this.outer.close();
  }
}

/** How an ssl document treats client certificates (its `clientCa` and `clientVerify`). */
function policyOf(cert: SniCertificate): ClientCertificatePolicy | undefined {
  if (!cert.requestClientCert) return undefined;
  return { verify: cert.requireClientCert ? 'on' : 'optional', ca: String(cert.options.ca ?? '') };
}

/** The main port's plan: passthrough names first, then the certificate (ssl document) for the name. */
export function mainTlsPlan(index: SniIndex | undefined, passthrough: StreamPort | undefined): TlsPlan {
  const targets = new Map<SniCertificate, Extract<TlsTarget, { kind: 'terminate' }>>();
  const terminateWith = (cert: SniCertificate): Extract<TlsTarget, { kind: 'terminate' }> => {
    let target = targets.get(cert);
    if (target === undefined) {
      target = { kind: 'terminate', protocol: 'http', identity: cert.id, policy: policyOf(cert), certificateFor: () => cert };
      targets.set(cert, target);
    }
    return target;
  };
  const policies = new Set<string>();
  for (const cert of index?.certificates ?? []) {
    const policy = policyOf(cert);
    policies.add(policy === undefined ? '' : `${policy.verify}|${policy.ca}`);
  }
  const single = index?.certificates[0];
  return {
    key: 'https',
    peek: passthrough !== undefined || policies.size > 1,
    direct: { protocol: 'http', policy: single === undefined ? undefined : policyOf(single) },
    target(serverName) {
      if (passthrough !== undefined && serverName !== undefined) {
        const route = passthrough.routeFor(serverName);
        // Only a route that names this SNI takes it: an SNI-less `tls` route must not swallow the HTTPS port.
        if (route !== undefined && route.route.sni !== undefined) return { kind: 'passthrough', route };
      }
      const cert = index?.lookup(serverName);
      return cert === undefined ? undefined : terminateWith(cert);
    },
    terminated() {
      return (index?.certificates ?? []).map(terminateWith);
    },
  };
}
