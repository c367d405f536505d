import { useState, type FormEvent } from 'react';
import { adminApi } from '../api/admin-api';
import type { CreatedAdminKey, Role } from '../api/admin-types';
import { collectionChoices } from '../collections';
import { Checklist } from '../components/checklist';
import { DataTable } from '../components/data-table';
import { asApiError } from '../components/use-document-editor';
import { useAsync } from '../use-async';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];

/** Admin keys (admins only): create one with a role (its key is shown once) or delete one. */
export function AdminKeysPage() {
  const keys = useAsync(() => adminApi.adminKeys.list(), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [kinds, setKinds] = useState<string[]>([]);
  const [created, setCreated] = useState<CreatedAdminKey>();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string>();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setCopied(false);
    try {
      setCreated(await adminApi.adminKeys.create({ name, role, ...(role === 'editor' && kinds.length ? { kinds } : {}) }));
      setName('');
      keys.reload();
    } catch (err) {
      setError(asApiError(err).message);
    }
  };
  const remove = async (keyName: string) => {
    if (!confirm(`Delete the key ${keyName}? Whoever uses it loses access.`)) return;
    try {
      await adminApi.adminKeys.remove(keyName);
      keys.reload();
    } catch (err) {
      setError(asApiError(err).message);
    }
  };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      // Clipboard access can be refused (non-secure context): the key stays selectable.
      setError('Copy refused by the browser: select the key and copy it by hand.');
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Admin keys</h1>
      </div>
      <form className="card form-grid" onSubmit={create} aria-label="New admin key">
        <h2>New key</h2>
        <div className="row">
          <label className="field">
            <span className="field-label">Name</span>
            <input name="key-name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z0-9._\-]+" />
          </label>
          <label className="field">
            <span className="field-label">Role</span>
            <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
        </div>
        {role === 'editor' && <Checklist legend="May edit (none = every kind)" options={collectionChoices} chosen={kinds} onChange={setKinds} />}
        <div className="actions">
          <button type="submit" disabled={name === ''}>
            Create key
          </button>
        </div>
      </form>
      {created && (
        <div className="card created-key" role="status" data-testid="created-key">
          <p>
            Key <strong>{created.name}</strong> ({created.role}) created. Copy it now: it is shown only once.
          </p>
          <div className="row">
            <input readOnly aria-label="New key" value={created.key} onFocus={(e) => e.target.select()} />
            <button type="button" className="secondary" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {keys.error && (
        <p className="error" role="alert">
          {keys.error.message}
        </p>
      )}
      <h2>Keys</h2>
      <DataTable label="Admin keys" columns={['Name', 'Role', 'Scope', 'Created', '']}>
        {keys.data?.map((k) => (
          <tr key={k.name} data-key={k.name}>
            <td>{k.name}</td>
            <td>{k.role}</td>
            <td>
              {[
                k.kinds?.join(', '),
                k.labels &&
                  Object.entries(k.labels)
                    .map(([a, b]) => `${a}=${b}`)
                    .join(','),
              ]
                .filter(Boolean)
                .join(' · ') || 'all'}
            </td>
            <td>{k.created ? new Date(k.created).toLocaleString() : ''}</td>
            <td>
              <button type="button" className="danger" aria-label={`Delete key ${k.name}`} onClick={() => void remove(k.name)}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
