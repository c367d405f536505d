import { useState } from 'react';
import { adminApi } from '../api/admin-api';
import type { AuditEntry } from '../api/admin-types';
import { editableCollections } from '../collections';
import { DataTable } from '../components/data-table';
import { VersionDiff } from '../components/version-diff';
import { Link } from '../router';
import { useAsync } from '../use-async';

const PAGE_SIZE = 50;

/** Every admin write: who (the key's name), when, what; filterable, paged, each with its diff. */
export function AuditPage() {
  const [filters, setFilters] = useState({ collection: '', id: '', key: '' });
  const [pages, setPages] = useState<AuditEntry[][]>([]);
  const [opened, setOpened] = useState<string>();
  const first = useAsync(() => adminApi.audit({ ...filters, limit: PAGE_SIZE }), [filters.collection, filters.id, filters.key]);
  const [next, setNext] = useState<string | null | undefined>();
  const items = [...(first.data?.items ?? []), ...pages.flat()];
  const cursor = pages.length ? next : first.data?.next;

  const setFilter = (name: keyof typeof filters, value: string) => {
    setPages([]);
    setFilters((f) => ({ ...f, [name]: value }));
  };
  const more = async () => {
    if (!cursor) return;
    const page = await adminApi.audit({ ...filters, limit: PAGE_SIZE, before: cursor });
    setPages((p) => [...p, page.items]);
    setNext(page.next);
  };

  return (
    <section>
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: <search> is too new for the browsers the dashboard supports */}
      <div className="filters" role="search">
        <label>
          <span className="field-label">Collection</span>
          <select value={filters.collection} onChange={(e) => setFilter('collection', e.target.value)}>
            <option value="">Any</option>
            {editableCollections.map((c) => (
              <option key={c.collection} value={c.collection}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="field-label">Document id</span>
          <input value={filters.id} onChange={(e) => setFilter('id', e.target.value)} />
        </label>
        <label>
          <span className="field-label">Key name</span>
          <input value={filters.key} onChange={(e) => setFilter('key', e.target.value)} />
        </label>
      </div>
      {first.error && (
        <p className="error" role="alert">
          {first.error.message}
        </p>
      )}
      <DataTable
        label="Audit log"
        busy={first.loading}
        columns={['When', 'Key', 'Action', 'Document', 'Revision', 'Change']}
        empty={first.data && items.length === 0 && `No writes recorded${filters.collection || filters.id || filters.key ? ' match' : ' yet'}.`}
      >
        {items.map((entry) => {
          const rowId = `${entry.revision}|${entry.collection}|${entry.id}`;
          return (
            <tr key={rowId} data-key={entry.key} data-doc={`${entry.collection}/${entry.id}`}>
              <td>{new Date(entry.at).toLocaleString()}</td>
              <td>
                <strong>{entry.key}</strong> <span className="badge">{entry.role}</span>
              </td>
              <td>{entry.action}</td>
              <td>
                <Link href={`/${entry.collection}/${encodeURIComponent(entry.id)}`}>
                  {entry.collection}/{entry.id}
                </Link>
              </td>
              <td>{entry.revision}</td>
              <td>
                <button type="button" className="secondary" aria-expanded={opened === rowId} onClick={() => setOpened(opened === rowId ? undefined : rowId)}>
                  {opened === rowId ? 'Hide' : 'Show'}
                </button>
                {opened === rowId && <VersionDiff from={entry.before ?? {}} to={entry.after ?? {}} fromLabel="before" toLabel="after" />}
              </td>
            </tr>
          );
        })}
      </DataTable>
      {cursor && (
        <button type="button" className="secondary" onClick={() => void more()}>
          Older entries
        </button>
      )}
    </section>
  );
}
