import { useState } from 'react';
import type { Resource } from '../api/client';
import { useAsync } from '../use-async';
import { VersionDiff } from './version-diff';

/**
 * Earlier versions of a document from etcd (the API lists them without the current one),
 * newest first. Each can be compared with the current version (a line diff) before rolling back.
 */
export function HistoryPanel({ api, id, version, current, currentDoc, readOnly, onRollback }: { api: Resource<unknown>; id: string; version: number; current?: string; currentDoc: unknown; readOnly: boolean; onRollback: (modRevision: number) => void }) {
  const { data, error } = useAsync(() => api.history(id), [id, version]);
  const [compared, setCompared] = useState<number>();
  const entries = [...(data ?? [])].sort((a, b) => b.modRevision - a.modRevision);
  const shown = entries.find((e) => e.modRevision === compared);
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
              <button type="button" className="secondary" aria-pressed={compared === entry.modRevision} onClick={() => setCompared(compared === entry.modRevision ? undefined : entry.modRevision)}>
                Diff
              </button>
              {!readOnly && (
                <button type="button" className="secondary" onClick={() => onRollback(entry.modRevision)}>
                  Roll back
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {shown && <VersionDiff from={currentDoc} to={shown.document} fromLabel={`current (rev ${current ?? '?'})`} toLabel={`rev ${shown.modRevision}`} />}
    </aside>
  );
}
