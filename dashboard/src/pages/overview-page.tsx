import { resource } from '../api/client';
import { Link } from '../router';
import { useAsync } from '../use-async';

/** What is live where: every registered data plane and the size of the configuration. */
export function OverviewPage() {
  const { data, error, reload } = useAsync(async () => {
    const [dataplanes, routes, upstreams] = await Promise.all([
      resource('dataplanes').list(),
      resource('routes').list({ limit: 1 }),
      resource('upstreams').list({ limit: 1 }),
    ]);
    return { dataplanes: dataplanes.items, routes: routes.total, upstreams: upstreams.total };
  }, []);

  return (
    <section>
      <div className="page-head">
        <h1>Overview</h1>
        <button type="button" className="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && <p className="error" role="alert">{error.message}</p>}
      <div className="stats">
        <Link href="/routes" className="stat" data-testid="route-count">
          <strong>{data?.routes ?? '…'}</strong> routes
        </Link>
        <Link href="/upstreams" className="stat" data-testid="upstream-count">
          <strong>{data?.upstreams ?? '…'}</strong> upstreams
        </Link>
        <div className="stat">
          <strong>{data?.dataplanes.length ?? '…'}</strong> data planes
        </div>
      </div>
      <h2>Data planes</h2>
      <div className="table-wrap">
        <table aria-label="Data planes">
          <thead>
            <tr>
              <th>Id</th>
              <th>Host</th>
              <th>Workers</th>
              <th>Applied revision</th>
              <th>State</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {data?.dataplanes.map((dp) => (
              <tr key={dp.id}>
                <td>{dp.id}</td>
                <td>{dp.host}</td>
                <td>{dp.workers}</td>
                <td>{dp.revision}</td>
                <td>
                  <span className={`badge state-${dp.state ?? 'unknown'}`}>{dp.state ?? 'unknown'}</span>
                </td>
                <td>{dp.startedAt ? new Date(dp.startedAt).toLocaleString() : ''}</td>
              </tr>
            ))}
            {data && data.dataplanes.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  No data plane is registered: start one with <code>gateway data-plane</code>.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
