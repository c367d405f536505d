import type { Resource } from '../api/client';
import { useAsync } from '../use-async';

/** Earlier versions of a document from etcd (the API lists them without the current one), newest first, each a rollback target. */
export function HistoryPanel({ api, id, version, current, readOnly, onRollback }: { api: Resource<unknown>; id: string; version: number; current?: string; readOnly: boolean; onRollback: (modRevision: number) => void }) {
  const { data, error } = useAsync(() => api.history(id), [id, version]);
  const entries = [...(data ?? [])].sort((a, b) => b.modRevision - a.modRevision);
  return (
    <aside className="history card" aria-label="History">
      <h2>History</h2>
      {error && <p className="error">{error.message}</p>}
      {current && (
        <p>
          <strong>rev {current}</strong> <span className="badge">current</span>
        </p>
      )}
      {data && entries.length === 0 && <p className="muted">No earlier versions.</p>}
      <ol>
        {entries.map((entry) => {
          return (
            <li key={entry.modRevision} data-revision={entry.modRevision}>
              <div>
                <strong>rev {entry.modRevision}</strong>
                <div className="muted">{entry.updatedAt ? new Date(entry.updatedAt).toLocaleString() : ''}</div>
              </div>
              {!readOnly && (
                <button type="button" className="secondary" onClick={() => onRollback(entry.modRevision)}>
                  Roll back
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </aside>
  );
}
