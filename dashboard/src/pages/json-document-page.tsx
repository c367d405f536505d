import type { Collection } from '../api/client';
import { EditorFrame } from '../components/editor-frame';
import { HistoryPanel } from '../components/history-panel';
import { useDocumentEditor } from '../components/use-document-editor';

/** Any kind of the registry edited as raw JSON, with history and rollback. */
export function JsonDocumentPage({ collection, id }: { collection: Collection; id?: string }) {
  const e = useDocumentEditor(collection, id, {});
  if (e.loading) return <p className="muted">Loading…</p>;
  return (
    <EditorFrame
      title={id ? `${e.api.spec.kind} ${id}` : `New ${e.api.spec.kind}`}
      doc={e.doc}
      setDoc={e.setDoc}
      readOnly={e.readOnly}
      isNew={e.isNew}
      revision={e.revision}
      error={e.error}
      notice={e.notice}
      onSave={() => void e.save(e.doc)}
      onDelete={() => void e.remove()}
      side={
        id && (
          <HistoryPanel api={e.api} id={id} version={e.historyVersion} current={e.revision} readOnly={e.readOnly} onRollback={(r) => void e.rollback(r)} />
        )
      }
    />
  );
}
