import type { RouteMetricsReply } from '@sluice/model';
import type { LiveDataplane } from '../store/live-state.js';

/** One data plane's answer: per-route status counts from /metrics, node health from /status. */
export interface ProbeResult {
  id: string;
  ok: boolean;
  at: number;
  /** route id → status → count */
  requests: Map<string, Map<number, number>>;
  /** upstream id → node key (`host:port`) → healthy in every worker */
  health: Map<string, Map<string, boolean>>;
}

export interface ProbeOptions {
  /** How long one data plane may take to answer (default 1.5 s). */
  timeoutMs?: number;
  /** How long an answer is reused (default 2 s), so a dashboard full of tabs costs one scrape. */
  cacheMs?: number;
}

const REQUESTS_LINE = /^sluice_http_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * Reads the data planes' status ports. Answers are cached briefly; the rate per route comes
 * from the difference between this scrape and the one before it of the same data plane.
 */
export function createDataplaneProbe(options: ProbeOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 1500;
  const cacheMs = options.cacheMs ?? 2000;
  const latest = new Map<string, ProbeResult>();
  const previous = new Map<string, ProbeResult>();
  const inFlight = new Map<string, Promise<ProbeResult>>();

  async function scrape(dp: LiveDataplane): Promise<ProbeResult> {
    const base = String(dp.doc.statusUrl ?? '').replace(/\/$/, '');
    const result: ProbeResult = { id: dp.id, ok: false, at: Date.now(), requests: new Map(), health: new Map() };
    if (!base) return result;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const [metrics, status] = await Promise.all([
        fetch(`${base}/metrics`, { signal }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`/metrics ${r.status}`)))),
        fetch(`${base}/status`, { signal }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`/status ${r.status}`)))),
      ]);
      result.requests = parseRequests(metrics);
      result.health = parseHealth((status as { upstreams?: unknown }).upstreams);
      result.ok = true;
    } catch {
      /* listed as unreachable */
    }
    return result;
  }

  async function probe(dp: LiveDataplane): Promise<ProbeResult> {
    const cached = latest.get(dp.id);
    if (cached && Date.now() - cached.at < cacheMs) return cached;
    let pending = inFlight.get(dp.id);
    if (!pending) {
      pending = scrape(dp).then((result) => {
        inFlight.delete(dp.id);
        if (result.ok) {
          const before = latest.get(dp.id);
          if (before?.ok) previous.set(dp.id, before);
        }
        latest.set(dp.id, result);
        return result;
      });
      inFlight.set(dp.id, pending);
    }
    return pending;
  }

  return {
    /** Every live data plane's latest answer (cached up to cacheMs). */
    async probeAll(dataplanes: LiveDataplane[]): Promise<ProbeResult[]> {
      const live = new Set(dataplanes.map((d) => d.id));
      for (const id of latest.keys()) if (!live.has(id)) latest.delete(id), previous.delete(id);
      return Promise.all(dataplanes.map(probe));
    },

    routeMetrics(results: ProbeResult[]): RouteMetricsReply {
      const totals = new Map<string, { requests: number; errors4xx: number; errors5xx: number; ratePerSec: number }>();
      for (const r of results) {
        if (!r.ok) continue;
        const before = previous.get(r.id);
        const seconds = before ? (r.at - before.at) / 1000 : 0;
        for (const [routeId, byStatus] of r.requests) {
          if (routeId === '') continue;
          const t = totals.get(routeId) ?? { requests: 0, errors4xx: 0, errors5xx: 0, ratePerSec: 0 };
          let count = 0;
          for (const [status, n] of byStatus) {
            count += n;
            if (status >= 400 && status < 500) t.errors4xx += n;
            else if (status >= 500) t.errors5xx += n;
          }
          t.requests += count;
          if (before && seconds > 0) {
            let earlier = 0;
            for (const n of before.requests.get(routeId)?.values() ?? []) earlier += n;
            t.ratePerSec += Math.max(0, count - earlier) / seconds;
          }
          totals.set(routeId, t);
        }
      }
      const items = [...totals]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([routeId, t]) => ({ routeId, ...t, ratePerSec: Math.round(t.ratePerSec * 100) / 100 }));
      const unreachable = results.filter((r) => !r.ok).map((r) => r.id);
      return { items, at: new Date().toISOString(), ...(unreachable.length ? { unreachable } : {}) };
    },
  };
}

export type DataplaneProbe = ReturnType<typeof createDataplaneProbe>;

function parseRequests(text: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const line of text.split('\n')) {
    const m = REQUESTS_LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[1].matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    const route = labels.route ?? '';
    const status = Number(labels.status);
    let byStatus = out.get(route);
    if (!byStatus) out.set(route, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + Number(m[2]));
  }
  return out;
}

/** `/status` upstreams: `{ "worker-0": { <upstreamId>: [{key, healthy}] } }`; healthy only if every worker says so. */
function parseHealth(upstreams: unknown): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  if (!upstreams || typeof upstreams !== 'object') return out;
  for (const perWorker of Object.values(upstreams as Record<string, unknown>)) {
    if (!perWorker || typeof perWorker !== 'object') continue;
    for (const [upstreamId, nodes] of Object.entries(perWorker as Record<string, unknown>)) {
      if (!Array.isArray(nodes)) continue;
      let byNode = out.get(upstreamId);
      if (!byNode) out.set(upstreamId, (byNode = new Map()));
      for (const n of nodes as { key?: unknown; healthy?: unknown }[]) {
        if (typeof n.key !== 'string') continue;
        byNode.set(n.key, (byNode.get(n.key) ?? true) && n.healthy === true);
      }
    }
  }
  return out;
}
