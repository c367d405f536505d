import { resource } from '../api/client';
import { useAsync } from '../use-async';
import { Field } from './field';
import { numberOrUndefined, setField } from './set-field';
import type { Doc } from './use-document-editor';

/**
 * `backends[{upstreamId, weight}]` of a route or stream route, with the upstreams to pick
 * from. A new backend starts with no upstream chosen (a guess would send traffic somewhere
 * the user did not pick); until one is chosen the form will not save.
 */
export function BackendsField({ backends, onChange, errors }: { backends: Doc[]; onChange: (backends: Doc[]) => void; errors: Record<string, string> }) {
  const upstreams = useAsync(() => resource('upstreams').list({ limit: 1000 }), []);
  const upstreamIds = (upstreams.data?.items ?? []).map((u) => u.id);
  const edit = (i: number, change: (b: Doc) => Doc) => onChange(backends.map((b, j) => (j === i ? change(b) : b)));
  return (
    <fieldset className="group" data-path="/backends">
      <legend>Backends</legend>
      {backends.map((b, i) => (
        <div className="row" key={i} data-testid={`backend-${i}`}>
          <Field label={`Upstream ${i + 1}`} path={`/backends/${i}/upstreamId`} errors={errors} issue={b.upstreamId ? undefined : 'choose an upstream'}>
            <select
              aria-label={`Backend ${i + 1} upstream`}
              value={b.upstreamId ?? ''}
              onChange={(ev) => edit(i, (c) => ({ ...c, upstreamId: ev.target.value }))}
            >
              <option value="">(choose an upstream)</option>
              {[...new Set([...(b.upstreamId ? [b.upstreamId] : []), ...upstreamIds])].map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Weight" path={`/backends/${i}/weight`} errors={errors}>
            <input
              type="number"
              min={0}
              aria-label={`Backend ${i + 1} weight`}
              value={b.weight ?? ''}
              onChange={(ev) => edit(i, (c) => setField(c, ['weight'], numberOrUndefined(ev.target.value)))}
            />
          </Field>
          <button type="button" className="icon" aria-label={`Remove backend ${i + 1}`} onClick={() => onChange(backends.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      {errors['/backends'] && (
        <small className="field-error" role="alert">
          {errors['/backends']}
        </small>
      )}
      <button type="button" className="secondary" onClick={() => onChange([...backends, { upstreamId: '' }])}>
        Add backend
      </button>
    </fieldset>
  );
}
