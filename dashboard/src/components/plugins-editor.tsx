import { useState } from 'react';
import { adminApi } from '../api/admin-api';
import { useAsync } from '../use-async';
import { MarkdownText } from './markdown-text';
import { SchemaField } from './schema-form/schema-field';
import { pointerSegment } from './schema-form/schema-field-kind';

type PluginMap = Record<string, unknown>;

/**
 * The plugin picker (from `GET /plugins`, those that attach to `attachTo`) and one form per
 * chosen plugin, generated from its schema (on a consumer, an auth plugin's credential
 * schema); issues at /plugins/<name>/... land on their field. Routes, consumers, plugin
 * configs and global rules all edit their plugins here.
 */
export function PluginsEditor({
  plugins,
  onChange,
  errors,
  attachTo,
}: {
  plugins: PluginMap;
  onChange: (plugins: PluginMap | undefined) => void;
  errors: Record<string, string>;
  attachTo: string;
}) {
  const catalog = useAsync(() => adminApi.plugins(), []);
  const [picked, setPicked] = useState('');
  const available = (catalog.data ?? []).filter((p) => p.attachTo.includes(attachTo) && !(p.name in plugins));
  const set = (name: string, config: unknown) => {
    const next = { ...plugins };
    if (config === undefined) delete next[name];
    else next[name] = config;
    onChange(Object.keys(next).length ? next : undefined);
  };

  return (
    <fieldset className="group" data-path="/plugins">
      <legend>Plugins</legend>
      {catalog.error && <p className="error">{catalog.error.message}</p>}
      {Object.entries(plugins).map(([name, config]) => {
        const spec = catalog.data?.find((p) => p.name === name);
        const path = `/plugins/${pointerSegment(name)}`;
        return (
          <div key={name} className="plugin card" data-plugin={name}>
            <div className="page-head">
              <h3>{name}</h3>
              <button type="button" className="danger" aria-label={`Remove plugin ${name}`} onClick={() => set(name, undefined)}>
                Remove
              </button>
            </div>
            {spec && <MarkdownText className="muted plugin-description" text={spec.description} />}
            {spec?.notes && spec.notes.length > 0 && (
              <details className="plugin-notes">
                <summary>Notes</summary>
                <ul>
                  {spec.notes.map((note) => (
                    <li key={note}>
                      <MarkdownText text={note} />
                    </li>
                  ))}
                </ul>
              </details>
            )}
            <SchemaField
              name={name}
              label={attachTo === 'consumer' && spec?.consumerSchema ? 'Credential' : undefined}
              schema={(attachTo === 'consumer' ? spec?.consumerSchema : undefined) ?? spec?.schema ?? {}}
              value={config}
              path={path}
              errors={errors}
              onChange={(v) => set(name, v ?? {})}
            />
          </div>
        );
      })}
      {errors['/plugins'] && (
        <small className="field-error" role="alert">
          {errors['/plugins']}
        </small>
      )}
      <div className="row">
        <label className="inline">
          <span className="field-label">Add a plugin</span>
          <select aria-label="Plugin to add" value={picked} onChange={(e) => setPicked(e.target.value)}>
            <option value="">(choose a plugin)</option>
            {available.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="secondary"
          disabled={picked === ''}
          onClick={() => {
            set(picked, {});
            setPicked('');
          }}
        >
          Add plugin
        </button>
      </div>
    </fieldset>
  );
}
