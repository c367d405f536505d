import { kindNameByCollection } from '@sluice/model/browser';
import type { Collection } from '../api/client';
import { DocumentEditorFrame } from '../components/document-editor-frame';
import { IdNameFields } from '../components/id-name-fields';
import { PluginsEditor } from '../components/plugins-editor';
import { useDocumentEditor } from '../components/use-document-editor';

/**
 * The kinds that are mostly a `plugins` map (consumers with their credentials, plugin configs,
 * global rules) edited with the same plugin forms as routes; how a kind attaches plugins (a
 * consumer's auth plugins take credentials) comes from the kind registry.
 */
export function PluginsDocumentPage({ collection, id }: { collection: Collection; id?: string }) {
  const spec = kindNameByCollection(collection)!;
  const e = useDocumentEditor(collection, id, {});
  if (e.loading) return <p className="muted">Loading…</p>;
  const { doc, fieldErrors: errors, set } = e;
  const form = (
    <div className="form-grid">
      <IdNameFields doc={doc} isNew={e.isNew} errors={errors} set={set} idField={spec.idField} />
      <PluginsEditor plugins={doc.plugins ?? {}} onChange={(p) => set(['plugins'], p)} errors={errors} attachTo={spec.plugins ?? collection} />
    </div>
  );
  const kind = spec.kind.charAt(0).toUpperCase() + spec.kind.slice(1);
  return <DocumentEditorFrame editor={e} id={id} title={id ? `${kind} ${id}` : `New ${spec.kind}`} doc={doc} form={form} />;
}
