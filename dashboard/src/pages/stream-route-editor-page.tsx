import { DocumentEditorFrame } from '../components/document-editor-frame';
import { BackendsField } from '../components/backends-field';
import { Field } from '../components/field';
import { IdNameFields } from '../components/id-name-fields';
import { SelectField } from '../components/select-field';
import { numberOrUndefined, splitList } from '../components/set-field';
import { StatusField } from '../components/status-field';
import { useDocumentEditor, type Doc } from '../components/use-document-editor';

const PROTOCOLS = ['tcp', 'udp', 'tls'];

/** L4 routes: protocol, listen port, SNI (TLS passthrough), backends and client allow list. */
export function StreamRouteEditorPage({ id }: { id?: string }) {
  const e = useDocumentEditor('stream-routes', id, { protocol: 'tcp' });
  if (e.loading) return <p className="muted">Loading…</p>;
  const { doc, fieldErrors: errors, set } = e;
  const backends: Doc[] = doc.backends ?? [];

  const form = (
    <div className="form-grid">
      <IdNameFields doc={doc} isNew={e.isNew} errors={errors} set={set} />
      <div className="row">
        <SelectField
          label="Protocol"
          path="/protocol"
          name="protocol"
          value={doc.protocol ?? 'tcp'}
          options={PROTOCOLS}
          errors={errors}
          onChange={(v) => set(['protocol'], v)}
        />
        <Field label="Listen port" path="/listenPort" errors={errors}>
          <input
            name="listenPort"
            type="number"
            min={1}
            max={65535}
            value={doc.listenPort ?? ''}
            onChange={(ev) => set(['listenPort'], numberOrUndefined(ev.target.value))}
          />
        </Field>
        {doc.protocol === 'tls' && (
          <Field label="SNI" path="/sni" errors={errors} hint="Routes TLS passthrough on the ClientHello's server name.">
            <input name="sni" value={doc.sni ?? ''} onChange={(ev) => set(['sni'], ev.target.value)} />
          </Field>
        )}
        <Field label="Idle timeout (s)" path="/timeout" errors={errors}>
          <input
            name="timeout"
            type="number"
            min={0}
            step="any"
            value={doc.timeout ?? ''}
            onChange={(ev) => set(['timeout'], numberOrUndefined(ev.target.value))}
          />
        </Field>
      </div>
      <BackendsField backends={backends} onChange={(b) => set(['backends'], b)} errors={errors} />
      <Field label="Allowed clients" path="/remoteAddrs" errors={errors} hint="IPs or CIDRs, comma-separated; empty = everyone.">
        <input name="remoteAddrs" defaultValue={(doc.remoteAddrs ?? []).join(', ')} onChange={(ev) => set(['remoteAddrs'], splitList(ev.target.value))} />
      </Field>
      <StatusField doc={doc} errors={errors} set={set} />
    </div>
  );

  return <DocumentEditorFrame editor={e} id={id} title={id ? `Stream route ${id}` : 'New stream route'} doc={doc} form={form} />;
}
