import { hostIssue } from '@sluice/model/browser';
import { useState } from 'react';
import { resource } from '../api/client';
import { BackendsField } from '../components/backends-field';
import { Checklist } from '../components/checklist';
import { Field } from '../components/field';
import { numberOrUndefined, splitList } from '../components/set-field';
import { useDocumentEditor, type Doc } from '../components/use-document-editor';
import { DocumentEditorFrame } from '../components/document-editor-frame';
import { IdNameFields } from '../components/id-name-fields';
import { PluginsEditor } from '../components/plugins-editor';
import { StatusField } from '../components/status-field';
import { useAsync } from '../use-async';

/** The first host the model refuses, said the way the server would. */
function hostsProblem(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const bad = splitList(text).flatMap((host) => hostIssue('/match/hosts', host))[0];
  return bad?.message;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => ({ value: m, label: m }));
const PATH_TYPES = ['prefix', 'exact', 'regex'];

/** The route form (common fields and plugins with schema-generated forms), a JSON tab for the rest, and the history panel. */
export function RouteEditorPage({ id }: { id?: string }) {
  const e = useDocumentEditor('routes', id, { match: { paths: [{ type: 'prefix', value: '/' }] } });
  const [hostsText, setHostsText] = useState<string>();
  const pluginConfigs = useAsync(() => resource('plugin-configs').list({ limit: 1000 }), []);
  if (e.loading) return <p className="muted">Loading…</p>;
  const { doc, fieldErrors: errors, set } = e;
  const paths: Doc[] = doc.match?.paths ?? [];
  const backends: Doc[] = doc.backends ?? [];
  const methods: string[] = doc.match?.methods ?? [];

  const form = (
    <div className="form-grid">
      <IdNameFields doc={doc} isNew={e.isNew} errors={errors} set={set} />
      <Field
        label="Hosts"
        path="/match/hosts"
        errors={errors}
        hint="Comma-separated; *.example.com wildcards; empty = any host."
        issue={hostsProblem(hostsText)}
      >
        <input
          name="hosts"
          defaultValue={(doc.match?.hosts ?? []).join(', ')}
          onChange={(ev) => {
            setHostsText(ev.target.value);
            set(['match', 'hosts'], splitList(ev.target.value));
          }}
        />
      </Field>
      <fieldset className="group" data-path="/match/paths">
        <legend>Paths</legend>
        {paths.map((p, i) => (
          <div className="row" key={i} data-testid={`path-${i}`}>
            <select
              aria-label={`Path ${i + 1} type`}
              value={p.type}
              onChange={(ev) =>
                set(
                  ['match', 'paths'],
                  paths.map((q, j) => (j === i ? { ...q, type: ev.target.value } : q)),
                )
              }
            >
              {PATH_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <Field label={`Path ${i + 1}`} path={`/match/paths/${i}/value`} errors={errors}>
              <input
                aria-label={`Path ${i + 1} value`}
                value={p.value}
                onChange={(ev) =>
                  set(
                    ['match', 'paths'],
                    paths.map((q, j) => (j === i ? { ...q, value: ev.target.value } : q)),
                  )
                }
              />
            </Field>
            <button
              type="button"
              className="icon"
              aria-label={`Remove path ${i + 1}`}
              onClick={() =>
                set(
                  ['match', 'paths'],
                  paths.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => set(['match', 'paths'], [...paths, { type: 'prefix', value: '/' }])}>
          Add path
        </button>
      </fieldset>
      <Checklist legend="Methods (none = any)" path="/match/methods" options={METHODS} chosen={methods} onChange={(m) => set(['match', 'methods'], m)} />
      <BackendsField backends={backends} onChange={(b) => set(['backends'], b)} errors={errors} />
      <Field label="Plugin config" path="/pluginConfigId" errors={errors} hint="Plugins shared by several routes; the route's own plugins win.">
        <select name="pluginConfigId" value={doc.pluginConfigId ?? ''} onChange={(ev) => set(['pluginConfigId'], ev.target.value || undefined)}>
          <option value="">(none)</option>
          {[...new Set([...(doc.pluginConfigId ? [doc.pluginConfigId as string] : []), ...(pluginConfigs.data?.items ?? []).map((p) => p.id)])].map((pc) => (
            <option key={pc} value={pc}>
              {pc}
            </option>
          ))}
        </select>
      </Field>
      <fieldset className="group" data-path="/timeout">
        <legend>Timeouts (seconds)</legend>
        <div className="row">
          {(['connect', 'send', 'read'] as const).map((t) => (
            <Field key={t} label={t} path={`/timeout/${t}`} errors={errors}>
              <input
                type="number"
                min={0}
                step="any"
                name={`timeout-${t}`}
                value={doc.timeout?.[t] ?? ''}
                onChange={(ev) => set(['timeout', t], numberOrUndefined(ev.target.value))}
              />
            </Field>
          ))}
        </div>
      </fieldset>
      <div className="row">
        <label className="check">
          <input
            type="checkbox"
            name="websocket"
            checked={doc.websocket !== false}
            onChange={(ev) => set(['websocket'], ev.target.checked ? undefined : false)}
          />
          WebSocket
        </label>
        <StatusField doc={doc} errors={errors} set={set} />
      </div>
      <PluginsEditor plugins={doc.plugins ?? {}} onChange={(p) => set(['plugins'], p)} errors={errors} attachTo="route" />
    </div>
  );

  return <DocumentEditorFrame editor={e} id={id} title={id ? `Route ${id}` : 'New route'} doc={doc} form={form} />;
}
