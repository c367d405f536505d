import type { ValidationIssue } from '@sluice/model';
import type { Document } from '../store/etcd-repo.js';

/** A port one live data plane holds for its own listeners (from its registration). */
export interface GatewayPort {
  dataplane: string;
  listener: 'http' | 'https' | 'status';
  port: number;
}

/**
 * A TCP or TLS stream route may not take a port the data planes' own HTTP, HTTPS or status
 * listeners hold: the data plane would refuse it anyway (rejected-document metric), but the
 * person writing it should hear why at once. The one exception is TLS passthrough by SNI on
 * the HTTPS port, which the HTTPS listener serves itself (ssl-passthrough). UDP ports are a
 * separate space. Ports held by other processes can only be found by the data plane binding them.
 */
export function streamPortIssues(doc: Document, gatewayPorts: readonly GatewayPort[]): ValidationIssue[] {
  const { protocol, listenPort, sni } = doc as { protocol?: string; listenPort?: number; sni?: string };
  if (protocol === 'udp' || typeof listenPort !== 'number') return [];
  const taken = gatewayPorts.find((p) => p.port === listenPort && !(p.listener === 'https' && protocol === 'tls' && sni));
  if (taken === undefined) return [];
  const hint = taken.listener === 'https' && protocol === 'tls' ? ' (a tls route with an sni may share the HTTPS port: it is passed through)' : '';
  return [{ path: '/listenPort', message: `port ${listenPort} is the ${taken.listener} listener of data plane ${taken.dataplane}${hint}` }];
}

/** The own-listener ports of registered data planes, read from their registration documents. */
export function gatewayPortsOf(dataplanes: Iterable<{ id: string; doc: Record<string, unknown> }>): GatewayPort[] {
  const out: GatewayPort[] = [];
  for (const d of dataplanes) {
    const listeners = d.doc.listeners as Partial<Record<GatewayPort['listener'], number>> | undefined;
    if (!listeners) continue;
    for (const listener of ['http', 'https', 'status'] as const) {
      const port = listeners[listener];
      if (typeof port === 'number') out.push({ dataplane: d.id, listener, port });
    }
  }
  return out;
}
