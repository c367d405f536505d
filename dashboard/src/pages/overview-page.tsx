import { useCallback, useEffect, useRef, useState } from 'react';
import { adminApi } from '../api/admin-api';
import type { DataplaneInfo, GatewayEvent, RouteMetrics } from '../api/admin-types';
import { resource } from '../api/client';
import { isCollection } from '../collections';
import { DataTable } from '../components/data-table';
import { Link } from '../router';
import { useGatewayEvents } from '../use-gateway-events';

interface OverviewState {
  dataplanes: DataplaneInfo[];
  /** The newest config revision known: the newest applied one, raised by every document change event. */
  latest: number;
  routes?: number;
  upstreams?: number;
}

/**
 * What is live: each data plane's applied revision against the latest one, documents they
 * rejected, and traffic per route. Kept current by the `/events` stream: applied revisions
 * are updated in place, a change or a data plane coming or going triggers one refresh.
 */
export function OverviewPage() {
  const [state, setState] = useState<OverviewState>({ dataplanes: [], latest: 0 });
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  const [metrics, setMetrics] = useState<RouteMetrics>();
  const [metricsError, setMetricsError] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      const [dps, routes, upstreams] = await Promise.all([
        adminApi.dataplanes(),
        resource('routes').list({ limit: 1 }),
        resource('upstreams').list({ limit: 1 }),
      ]);
      // The list's `revision` is etcd's head, which the data planes' own registration writes
      // move past anything they could apply; `documentRevision` is the newest document change.
      const latest = dps.documentRevision ?? Math.min(dps.revision, ...dps.items.map((d) => d.appliedRevision));
      setState((s) => ({ dataplanes: dps.items, latest: Math.max(s.latest, latest), routes: routes.total, upstreams: upstreams.total }));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoaded(true);
    }
    try {
      setMetrics(await adminApi.routeMetrics());
      setMetricsError(undefined);
    } catch (err) {
      setMetricsError((err as Error).message);
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshSoon = () => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      void refresh();
    }, 300);
  };
  useEffect(() => () => clearTimeout(pending.current), []);

  const onEvent = (event: GatewayEvent) => {
    if (event.type === 'change') {
      // Only documents the data planes run count towards "latest"; registrations and other
      // keys under the prefix move etcd's revision without anything to apply.
      if (!isCollection(event.collection)) return;
      setState((s) => ({ ...s, latest: Math.max(s.latest, event.revision) }));
      void refresh();
    } else if (state.dataplanes.some((d) => d.id === event.id) && event.action === 'update') {
      // The event carries what the data plane does not serve: the badge and the box change together.
      setState((s) => ({
        ...s,
        dataplanes: s.dataplanes.map((d) =>
          d.id === event.id
            ? {
                ...d,
                appliedRevision: Math.max(d.appliedRevision, event.appliedRevision),
                rejected: event.rejected ?? d.rejected,
                pending: event.pending ?? d.pending,
              }
            : d,
        ),
      }));
      // The registration may have changed more than the revision (rejected documents, state):
      // read it again, once for a burst of updates.
      refreshSoon();
    } else {
      void refresh();
    }
  };
  const live = useGatewayEvents(onEvent);
  // Events sent before the stream (re)connected are lost: read the state again once it is up.
  useEffect(() => {
    if (live) void refresh();
  }, [live, refresh]);

  const { dataplanes, latest } = state;
  const behind = dataplanes.filter((d) => d.appliedRevision < latest);
  const rejected = dataplanes.flatMap((d) => Object.entries(d.rejected ?? {}).map(([key, reason]) => ({ dp: d.id, key, reason })));
  const pendingDocs = dataplanes.flatMap((d) => (d.pending ?? []).map((key) => ({ dp: d.id, key })));
  // "All applied" means every data plane serves every document: none behind, none rejected, none still binding.
  const problems = [
    rejected.length > 0 && `${rejected.length} rejected`,
    pendingDocs.length > 0 && `${pendingDocs.length} pending`,
    behind.length > 0 && `${behind.length} behind`,
  ].filter((p): p is string => typeof p === 'string');

  return (
    <section>
      <div className="page-head">
        <h1>Overview</h1>
        <span className={`badge ${live ? 'state-ready' : 'state-stale'}`} data-testid="live-state">
          {live ? 'live' : 'reconnecting…'}
        </span>
        <button type="button" className="secondary" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="stats">
        <Link href="/routes" className="stat" data-testid="route-count">
          <strong>{state.routes ?? '…'}</strong> routes
        </Link>
        <Link href="/upstreams" className="stat" data-testid="upstream-count">
          <strong>{state.upstreams ?? '…'}</strong> upstreams
        </Link>
        <div className="stat">
          <strong>{loaded ? dataplanes.length : '…'}</strong> data planes
        </div>
        <div className="stat">
          <strong data-testid="latest-revision">{latest || '…'}</strong> latest revision
        </div>
      </div>
      <div className="page-head">
        <h2>Data planes</h2>
        {loaded && dataplanes.length > 0 && problems.length === 0 && (
          <span className="badge state-ready" data-testid="all-applied">
            all applied
          </span>
        )}
        {problems.length > 0 && (
          <span className={`badge ${rejected.length > 0 ? 'state-down' : 'state-stale'}`} data-testid="not-all-applied">
            not all applied: {problems.join(', ')}
          </span>
        )}
      </div>
      <DataTable
        label="Data planes"
        columns={['Id', 'Host', 'Workers', 'Applied revision', 'State', 'Started']}
        empty={
          loaded &&
          dataplanes.length === 0 && (
            <>
              No data plane is registered: start one with <code>gateway data-plane</code>.
            </>
          )
        }
      >
        {dataplanes.map((dp) => {
          const state = typeof dp.status === 'string' ? dp.status : 'unknown';
          return (
            <tr key={dp.id} data-dataplane={dp.id}>
              <td>{dp.id}</td>
              <td>{dp.host}</td>
              <td>{dp.workers}</td>
              <td data-testid="applied-revision">
                {dp.appliedRevision}{' '}
                {dp.appliedRevision < latest ? (
                  <span className="badge state-stale">behind {latest}</span>
                ) : Object.keys(dp.rejected ?? {}).length > 0 ? (
                  <span className="badge state-down">{Object.keys(dp.rejected ?? {}).length} rejected</span>
                ) : (
                  <span className="badge state-ready">applied</span>
                )}
              </td>
              <td>
                <span className={`badge state-${state}`}>{state}</span>
              </td>
              <td>{dp.started ? new Date(dp.started).toLocaleString() : ''}</td>
            </tr>
          );
        })}
      </DataTable>
      {pendingDocs.length > 0 && (
        <p className="banner" data-testid="pending-documents">
          Still binding their sockets: {pendingDocs.map((p) => `${p.key} on ${p.dp}`).join(', ')}
        </p>
      )}
      {rejected.length > 0 && (
        <>
          <h2>Rejected documents</h2>
          <ul className="rejected" aria-label="Rejected documents">
            {rejected.map((r) => (
              <li key={`${r.dp}|${r.key}`}>
                <code>{r.key}</code> on {r.dp}: {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Traffic per route</h2>
      {metricsError && <p className="muted">Route metrics are not available: {metricsError}</p>}
      {metrics?.unreachable && metrics.unreachable.length > 0 && <p className="banner">No metrics from: {metrics.unreachable.join(', ')}</p>}
      <DataTable
        label="Route traffic"
        columns={['Route', 'Requests', 'Rate /s', '4xx', '5xx']}
        empty={metrics && metrics.items.length === 0 && 'No traffic yet.'}
      >
        {metrics?.items.map((m) => (
          <tr key={m.routeId} data-route={m.routeId}>
            <td>
              <Link href={`/routes/${encodeURIComponent(m.routeId)}`}>{m.routeId}</Link>
            </td>
            <td>{m.requests}</td>
            <td>{m.ratePerSec.toFixed(2)}</td>
            <td>{m.errors4xx}</td>
            <td className={m.errors5xx > 0 ? 'bad' : undefined}>{m.errors5xx}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
