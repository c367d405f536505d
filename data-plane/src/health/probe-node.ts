import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ActiveCheckSettings } from './active-check-settings.js';

/** How one probe ended. `neutral`: a status in neither list, counted neither way. */
export type ProbeResult =
  | { kind: 'success'; status?: number }
  | { kind: 'http-failure'; status: number }
  | { kind: 'tcp-failure'; error: string }
  | { kind: 'timeout' }
  | { kind: 'neutral'; status: number };

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly key: string;
}

/**
 * Probes one node once: a TCP connect, or an HTTP(S) GET of `httpPath` classified by status.
 * Never rejects: every error becomes a result. Uses no agent (a probe must open a fresh
 * connection, or a pooled socket would hide a dead listener). Aborting `signal` ends it at once.
 */
export function probeNode(target: ProbeTarget, settings: ActiveCheckSettings, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let cleanup = (): void => {};
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      cleanup();
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'tcp-failure', error: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), settings.timeoutMs);
    timer.unref();
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);

    if (settings.type === 'tcp') {
      const socket = net.connect({ host: target.host, port: target.port });
      cleanup = () => socket.destroy();
      socket.once('connect', () => finish({ kind: 'success' }));
      socket.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'tcp-failure', error: err.code ?? err.message }));
      return;
    }

    const client = settings.type === 'https' ? https : http;
    const host = settings.host ?? (target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`);
    const req = client.request({
      host: target.host,
      port: target.port,
      method: 'GET',
      path: settings.httpPath,
      agent: false,
      headers: { 'user-agent': 'sluice-health-check', ...settings.headers, host },
      ...(settings.type === 'https'
        ? { rejectUnauthorized: settings.verifyCertificate, servername: settings.host && !net.isIP(settings.host) ? settings.host : undefined }
        : {}),
    });
    cleanup = () => req.destroy();
    req.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'tcp-failure', error: err.code ?? err.message }));
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', () => {});
      res.resume();
      if (settings.healthy.statuses.has(status)) finish({ kind: 'success', status });
      else if (settings.unhealthy.statuses.has(status)) finish({ kind: 'http-failure', status });
      else finish({ kind: 'neutral', status });
    });
    req.end();
  });
}
