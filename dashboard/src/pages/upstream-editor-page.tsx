import { adminApi, type JsonSchema } from '../api/admin-api';
import { DocumentEditorFrame } from '../components/document-editor-frame';
import { Field } from '../components/field';
import { IdNameFields } from '../components/id-name-fields';
import { SchemaField } from '../components/schema-form/schema-field';
import { SelectField } from '../components/select-field';
import { numberOrUndefined, setField } from '../components/set-field';
import { UpstreamHealth } from '../components/upstream-health';
import { useDocumentEditor, type Doc } from '../components/use-document-editor';
import { useAsync } from '../use-async';

/** The choices of an enum field of the schema. */
const choices = (fields: Record<string, JsonSchema>, name: string): string[] => (fields[name].anyOf as JsonSchema[]).map((c) => String(c.const));

/**
 * Upstream form: nodes with live health, balancing, every scheme, retries and timeouts, and
 * active and passive health checks (those sections generated from the model's schema); the
 * JSON tab has every other field.
 */
export function UpstreamEditorPage({ id }: { id?: string }) {
  const e = useDocumentEditor('upstreams', id, { nodes: [{ host: '127.0.0.1', port: 80 }] });
  // The model's Upstream schema, as the admin API serves it: the form's choices and generated
  // sections come from it (the bundle carries no schema library).
  const schema = useAsync(() => adminApi.kindSchema('upstreams'), []);
  if (e.loading || schema.loading) return <p className="muted">Loading…</p>;
  if (schema.data === undefined) return <p className="error">Could not load the upstream schema: {schema.error?.message}</p>;
  const fields = schema.data.properties as Record<string, JsonSchema>;
  const TYPES = choices(fields, 'type');
  const SCHEMES = choices(fields, 'scheme');
  const { doc, fieldErrors: errors, set } = e;
  const nodes: Doc[] = doc.nodes ?? [];
  const setNode = (i: number, field: string, value: unknown) =>
    set(
      ['nodes'],
      nodes.map((n, j) => (j === i ? setField(n, [field], value) : n)),
    );
  const health = doc.checks?.active ? 'active checks' : doc.checks?.passive ? 'passive checks' : 'no health checks';
  const generated = (name: string, label?: string) => (
    <SchemaField name={name} label={label} schema={fields[name]} value={doc[name]} path={`/${name}`} errors={errors} onChange={(v) => set([name], v)} />
  );

  const form = (
    <div className="form-grid">
      <IdNameFields doc={doc} isNew={e.isNew} errors={errors} set={set} />
      <div className="row">
        <SelectField
          label="Type"
          path="/type"
          name="type"
          value={doc.type ?? 'roundrobin'}
          options={TYPES}
          errors={errors}
          onChange={(v) => set(['type'], v)}
        />
        <SelectField
          label="Scheme"
          path="/scheme"
          name="scheme"
          value={doc.scheme ?? 'http'}
          options={SCHEMES}
          errors={errors}
          onChange={(v) => set(['scheme'], v)}
        />
      </div>
      <fieldset className="group" data-path="/nodes">
        <legend>
          Nodes <span className="badge">{health}</span>
        </legend>
        {nodes.map((n, i) => (
          <div className="row" key={i} data-testid={`node-${i}`}>
            <Field label="Host" path={`/nodes/${i}/host`} errors={errors}>
              <input aria-label={`Node ${i + 1} host`} value={n.host ?? ''} onChange={(ev) => setNode(i, 'host', ev.target.value)} />
            </Field>
            <Field label="Port" path={`/nodes/${i}/port`} errors={errors}>
              <input
                type="number"
                aria-label={`Node ${i + 1} port`}
                value={n.port ?? ''}
                onChange={(ev) => setNode(i, 'port', numberOrUndefined(ev.target.value))}
              />
            </Field>
            <Field label="Weight" path={`/nodes/${i}/weight`} errors={errors}>
              <input
                type="number"
                aria-label={`Node ${i + 1} weight`}
                value={n.weight ?? ''}
                onChange={(ev) => setNode(i, 'weight', numberOrUndefined(ev.target.value))}
              />
            </Field>
            <button
              type="button"
              className="icon"
              aria-label={`Remove node ${i + 1}`}
              onClick={() =>
                set(
                  ['nodes'],
                  nodes.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </button>
          </div>
        ))}
        {errors['/nodes'] && <small className="field-error">{errors['/nodes']}</small>}
        <button type="button" className="secondary" onClick={() => set(['nodes'], [...nodes, { host: '127.0.0.1', port: 80 }])}>
          Add node
        </button>
      </fieldset>
      <fieldset className="group">
        <legend>Retries and timeouts</legend>
        <div className="row">
          {generated('retries')}
          {generated('retryTimeout', 'Retry time budget (s)')}
        </div>
        {generated('retryOn', 'Retry on (error, timeout, non_idempotent, or a status)')}
        {generated('timeout', 'Timeouts (seconds)')}
      </fieldset>
      {generated('checks', 'Health checks')}
    </div>
  );

  return (
    <DocumentEditorFrame editor={e} id={id} title={id ? `Upstream ${id}` : 'New upstream'} doc={doc} form={form} extra={id && <UpstreamHealth id={id} />} />
  );
}
