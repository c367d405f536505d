import type { HistoryEntry, Resource } from '../api/client';
import { useAsync } from '../use-async';

/**
 * Earlier versions of a document from etcd (the API lists them without the current one),
 * newest first. Each can be compared with the current version, or rolled back to after a
 * confirmation that shows the same comparison.
 */
export function HistoryPanel({
  api,
  id,
  version,
  current,
  compared,
  readOnly,
  onCompare,
  onRollback,
}: {
  api: Resource<unknown>;
  id: string;
  version: number;
  current?: string;
  /** The revision being compared, if any. */
  compared?: number;
  readOnly: boolean;
  onCompare: (entry: HistoryEntry<unknown>) => void;
  onRollback: (entry: HistoryEntry<unknown>) => void;
}) {
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
        {entries.map((entry) => (
          <li key={entry.modRevision} data-revision={entry.modRevision}>
            <div>
              <strong>rev {entry.modRevision}</strong>
              <div className="muted">{entry.updatedAt ? new Date(entry.updatedAt).toLocaleString() : ''}</div>
            </div>
            <div className="history-actions">
              <button type="button" className="secondary" aria-pressed={compared === entry.modRevision} onClick={() => onCompare(entry)}>
                Diff
              </button>
              {!readOnly && (
                <button type="button" className="secondary" onClick={() => onRollback(entry)}>
                  Roll back
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
