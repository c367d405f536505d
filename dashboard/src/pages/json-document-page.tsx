import type { Collection } from '../api/client';
import { DocumentEditorFrame } from '../components/document-editor-frame';
import { useDocumentEditor } from '../components/use-document-editor';

/** Any kind of the registry edited as raw JSON, with history and rollback. */
export function JsonDocumentPage({ collection, id }: { collection: Collection; id?: string }) {
  const e = useDocumentEditor(collection, id, {});
  if (e.loading) return <p className="muted">Loading…</p>;
  return <DocumentEditorFrame editor={e} id={id} title={id ? `${e.api.spec.kind} ${id}` : `New ${e.api.spec.kind}`} doc={e.doc} />;
}
