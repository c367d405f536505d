import { SECRET_PLACEHOLDER } from '@sluice/model/browser';
import { CertificateInfo } from '../components/certificate-info';
import { DocumentEditorFrame } from '../components/document-editor-frame';
import { Field } from '../components/field';
import { IdNameFields } from '../components/id-name-fields';
import { PemInput } from '../components/pem-input';
import { splitList } from '../components/set-field';
import { StatusField } from '../components/status-field';
import { useDocumentEditor } from '../components/use-document-editor';

/**
 * Certificates: PEM upload (file or paste), SNIs and expiry. The API never returns the key
 * (it sends the stored-secret placeholder), so an existing certificate offers "Replace key":
 * left empty, the placeholder goes back and the stored key stays.
 */
export function SslEditorPage({ id }: { id?: string }) {
  const e = useDocumentEditor('ssls', id, { snis: [] });
  if (e.loading) return <p className="muted">Loading…</p>;
  const { doc, fieldErrors: errors, set } = e;

  const form = (
    <div className="form-grid">
      <IdNameFields doc={doc} isNew={e.isNew} errors={errors} set={set} />
      <Field label="SNIs" path="/snis" errors={errors} hint="Comma-separated server names; *.example.com wildcards.">
        <input name="snis" defaultValue={(doc.snis ?? []).join(', ')} onChange={(ev) => set(['snis'], splitList(ev.target.value))} />
      </Field>
      <PemInput label="Certificate PEM" name="cert" value={doc.cert ?? ''} onChange={(pem) => set(['cert'], pem)} />
      {errors['/cert'] && (
        <small className="field-error" role="alert">
          {errors['/cert']}
        </small>
      )}
      {e.isNew ? (
        <>
          <PemInput label="Private key PEM" name="key" value={doc.key ?? ''} onChange={(pem) => set(['key'], pem)} />
          {errors['/key'] && (
            <small className="field-error" role="alert">
              {errors['/key']}
            </small>
          )}
        </>
      ) : (
        <>
          <p className="muted" data-testid="key-stored">
            The private key is stored and is never shown again. Paste a new one only to replace it.
          </p>
          <PemInput
            label="Replace key"
            name="key"
            value={doc.key === SECRET_PLACEHOLDER ? '' : (doc.key ?? '')}
            onChange={(pem) => set(['key'], pem === '' ? SECRET_PLACEHOLDER : pem)}
            placeholder="(keep the stored key)"
          />
          {errors['/key'] && (
            <small className="field-error" role="alert">
              {errors['/key']}
            </small>
          )}
        </>
      )}
      <PemInput label="Client CA PEM (mTLS, optional)" name="clientCa" value={doc.clientCa ?? ''} onChange={(pem) => set(['clientCa'], pem)} />
      <StatusField doc={doc} errors={errors} set={set} />
    </div>
  );

  return (
    <DocumentEditorFrame
      editor={e}
      id={id}
      title={id ? `Certificate ${id}` : 'New certificate'}
      doc={doc}
      form={form}
      extra={id && <CertificateInfo id={id} version={e.revision} />}
    />
  );
}
