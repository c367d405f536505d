import { isManaged } from '@sluice/model/browser';
import { useEffect, useRef, useState } from 'react';
import { resource, type Collection } from '../api/client';
import { titleOf } from '../collections';
import { AppliedBadge } from '../components/applied-badge';
import { DataTable } from '../components/data-table';
import { OwnerBadge } from '../components/owner-badge';
import { Link } from '../router';
import { canWrite } from '../can-write';
import { useAsync } from '../use-async';
import { useGatewayEvents } from '../use-gateway-events';
import { useWhoAmI } from '../who-am-i';
import { documentSummary } from './document-summary';

/** Any collection of the registry as a searchable table with owner badges. */
export function DocumentListPage({ collection }: { collection: Collection }) {
  const [q, setQ] = useState('');
  const [owner, setOwner] = useState('');
  const api = resource(collection);
  const mayCreate = canWrite(useWhoAmI(), collection);
  const idField = api.spec.idField;
  const { data, error, loading, reload } = useAsync(() => api.list({ q, owner, limit: 500 }), [collection, q, owner]);
  // A change or a data plane's report may change the rows or their Applied column: read again, once per burst.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useGatewayEvents(() => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 300);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  return (
    <section>
      <div className="page-head">
        <h1>{titleOf(collection)}</h1>
        {mayCreate && (
          <Link href={`/${collection}/new`} className="button">
            New {api.spec.kind}
          </Link>
        )}
      </div>
      <div className="filters">
        <input type="search" placeholder="Search id, name, host, path…" aria-label="Search" value={q} onChange={(e) => setQ(e.target.value)} />
        <select aria-label="Owner" value={owner} onChange={(e) => setOwner(e.target.value)}>
          <option value="">Any owner</option>
          <option value="admin">Admin API</option>
          <option value="kubernetes">Kubernetes</option>
        </select>
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <DataTable
        label={titleOf(collection)}
        busy={loading}
        columns={['Id', 'Name', 'Summary', 'Applied', 'Owner', 'Updated']}
        empty={data && data.items.length === 0 && `Nothing here${q || owner ? ' matches' : ' yet'}.`}
      >
        {data?.items.map((doc) => {
          const d = doc as Record<string, any>;
          const id = String(d[idField]);
          return (
            <tr key={id} data-id={id} className={isManaged(d) ? 'managed' : undefined}>
              <td>
                <Link href={`/${collection}/${encodeURIComponent(id)}`}>{id}</Link>
              </td>
              <td>{d.name ?? ''}</td>
              <td className="summary">{documentSummary(collection, d)}</td>
              <td>
                <AppliedBadge state={data.applied?.[id]} />
              </td>
              <td>
                <OwnerBadge owner={d.owner} />
              </td>
              <td>{d.updatedAt ? new Date(d.updatedAt).toLocaleString() : ''}</td>
            </tr>
          );
        })}
      </DataTable>
    </section>
  );
}
