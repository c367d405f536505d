import type { ReactNode } from 'react';
import { EditorFrame } from './editor-frame';
import { HistoryPanel } from './history-panel';
import type { Doc, useDocumentEditor } from './use-document-editor';

type Editor = ReturnType<typeof useDocumentEditor>;

/** The editor frame every document page uses: save/delete wired to the editor, history with diff and rollback beside it. */
export function DocumentEditorFrame({ editor: e, id, title, doc, form, extra }: { editor: Editor; id?: string; title: string; doc: Doc; form?: ReactNode; extra?: ReactNode }) {
  return (
    <EditorFrame
      title={title}
      doc={doc}
      setDoc={e.setDoc}
      readOnly={e.readOnly}
      readOnlyReason={e.readOnlyReason}
      isNew={e.isNew}
      revision={e.revision}
      error={e.error}
      notice={e.notice}
      appliedSummary={e.appliedSummary}
      onSave={() => void e.save(doc)}
      onDelete={() => void e.remove()}
      form={form}
      side={
        <>
          {extra}
          {id && <HistoryPanel api={e.api} id={id} version={e.historyVersion} current={e.revision} currentDoc={doc} readOnly={e.readOnly} onRollback={(r) => void e.rollback(r)} />}
        </>
      }
    />
  );
}
