import { useState } from 'react';
import { adminApi } from '../api/admin-api';
import type { ImportPlan } from '../api/admin-types';
import { resource } from '../api/client';
import { collectionChoices, editableCollections } from '../collections';
import { Checklist } from '../components/checklist';
import { ImportPlanView } from '../components/import-plan-view';
import { TextFileInput } from '../components/text-file-input';
import { asApiError } from '../components/use-document-editor';
import { useAsync } from '../use-async';
import { useWhoAmI } from '../who-am-i';

/** Export chosen collections as YAML; import YAML or an OpenAPI document after a dry-run diff. */
export function ImportExportPage() {
  // Imports write many kinds in one transaction: the API allows them to admins only.
  const canImport = useWhoAmI().role === 'admin';
  return (
    <section className="stack">
      <div className="page-head">
        <h1>Import and export</h1>
      </div>
      <ExportPanel />
      {canImport && <ImportPanel kind="yaml" />}
      {canImport && <ImportPanel kind="openapi" />}
    </section>
  );
}

function ExportPanel() {
  const [chosen, setChosen] = useState<string[]>(editableCollections.map((c) => c.collection));
  const [label, setLabel] = useState('');
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();

  const download = async () => {
    setError(undefined);
    try {
      const yaml = await adminApi.exportYaml(chosen, label || undefined);
      // A blob link, so the key stays in the header of the fetch and out of any URL.
      const url = URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `sluice-export-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.yaml`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus(`Exported ${yaml.length} bytes.`);
    } catch (err) {
      setError(asApiError(err).message);
    }
  };

  return (
    <section className="card form-grid" aria-label="Export">
      <h2>Export</h2>
      <Checklist legend="Collections" options={collectionChoices} chosen={chosen} onChange={setChosen} />
      <label className="field">
        <span className="field-label">Label selector (optional)</span>
        <input value={label} placeholder="team=shop" onChange={(e) => setLabel(e.target.value)} />
      </label>
      <div className="actions">
        <button type="button" disabled={chosen.length === 0} onClick={() => void download()}>
          Download YAML
        </button>
      </div>
      {status && (
        <p className="notice" role="status">
          {status}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function ImportPanel({ kind }: { kind: 'yaml' | 'openapi' }) {
  const [text, setText] = useState('');
  const [upstream, setUpstream] = useState('');
  const [plan, setPlan] = useState<ImportPlan>();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const upstreams = useAsync(() => (kind === 'openapi' ? resource('upstreams').list({ limit: 1000 }) : Promise.resolve(undefined)), [kind]);
  const title = kind === 'yaml' ? 'Import YAML' : 'Import OpenAPI';

  const run = async (dryRun: boolean) => {
    setError(undefined);
    setStatus(undefined);
    try {
      const result = kind === 'yaml' ? await adminApi.importYaml(text, dryRun) : await adminApi.importOpenapi(text, upstream, dryRun);
      if (dryRun) setPlan(result);
      else {
        setPlan(undefined);
        setStatus(`Imported${result.revision ? ` at revision ${result.revision}` : ''}.`);
      }
    } catch (err) {
      setPlan(undefined);
      setError(asApiError(err).message);
    }
  };

  return (
    <section className="card form-grid" aria-label={title} data-import={kind}>
      <h2>{title}</h2>
      <TextFileInput
        label={kind === 'yaml' ? 'Documents (YAML)' : 'OpenAPI 3 document (YAML or JSON)'}
        value={text}
        accept={kind === 'yaml' ? '.yaml,.yml,text/yaml' : '.yaml,.yml,.json'}
        onChange={(t) => {
          setText(t);
          setPlan(undefined);
        }}
      />
      {kind === 'openapi' && (
        <label className="field">
          <span className="field-label">Upstream for the routes</span>
          <select value={upstream} onChange={(e) => setUpstream(e.target.value)}>
            <option value="">(choose)</option>
            {upstreams.data?.items.map((u) => (
              <option key={u.id} value={u.id}>
                {u.id}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="actions">
        <button type="button" className="secondary" disabled={text.trim() === '' || (kind === 'openapi' && upstream === '')} onClick={() => void run(true)}>
          Preview
        </button>
        {plan && (
          <button type="button" disabled={plan.errors.length > 0} onClick={() => void run(false)}>
            Apply
          </button>
        )}
      </div>
      {plan && <ImportPlanView plan={plan} />}
      {status && (
        <p className="notice" role="status">
          {status}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
