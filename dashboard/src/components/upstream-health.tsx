import { adminApi } from '../api/admin-api';
import { useAsync } from '../use-async';
import { useGatewayEvents } from '../use-gateway-events';

/**
 * Live health of an upstream's nodes as the data planes see them (`/upstreams/<id>/health`);
 * refreshed when the upstream changes or a data plane reports in, never on a timer.
 */
export function UpstreamHealth({ id }: { id: string }) {
  const { data, error, reload } = useAsync(() => adminApi.upstreamHealth(id), [id]);
  useGatewayEvents((e) => {
    if (e.type === 'dataplane' || (e.type === 'change' && e.collection === 'upstreams' && e.id === id)) reload();
  });
  return (
    <aside className="card" aria-label="Node health">
      <div className="page-head">
        <h2>Node health</h2>
        <button type="button" className="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && <p className="muted">Health is not available: {error.message}</p>}
      {data?.unreachable && data.unreachable.length > 0 && <p className="banner">No answer from: {data.unreachable.join(', ')}</p>}
      <ul className="health-list">
        {data?.nodes.map((n) => (
          <li key={`${n.host}:${n.port}`} data-node={`${n.host}:${n.port}`}>
            <span className={`badge ${n.healthy === null ? 'state-stale' : n.healthy ? 'state-ready' : 'state-down'}`}>
              {n.healthy === null ? 'not checked' : n.healthy ? 'healthy' : 'unhealthy'}
            </span>{' '}
            <code>
              {n.host}:{n.port}
            </code>
            <div className="muted">
              {Object.entries(n.dataplanes)
                .map(([dp, ok]) => `${dp}: ${ok ? 'up' : 'down'}`)
                .join(' · ')}
            </div>
          </li>
        ))}
        {data && data.nodes.length === 0 && <li className="muted">No nodes.</li>}
      </ul>
    </aside>
  );
}
