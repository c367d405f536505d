import { useState, type ReactNode } from 'react';
import type { HistoryEntry } from '../api/client';
import { EditorFrame } from './editor-frame';
import { HistoryPanel } from './history-panel';
import type { Doc, DocumentEditor } from './use-document-editor';
import { VersionDiff } from './version-diff';

/**
 * The editor frame every document page uses: save and delete wired to the editor, history
 * beside it, and, under the form where there is room, an earlier version compared with the
 * current one; a rollback is confirmed there, with the diff in view.
 */
export function DocumentEditorFrame({
  editor: e,
  id,
  title,
  doc,
  form,
  extra,
}: {
  editor: DocumentEditor;
  id?: string;
  title: string;
  doc: Doc;
  form?: ReactNode;
  extra?: ReactNode;
}) {
  const [compared, setCompared] = useState<{ entry: HistoryEntry<unknown>; confirm: boolean }>();
  const close = () => setCompared(undefined);
  const below = compared && (
    <section className="card compare" aria-label={`Revision ${e.revision} compared with revision ${compared.entry.modRevision}`}>
      <div className="page-head">
        <h2>
          Current (rev {e.revision}) → rev {compared.entry.modRevision}
        </h2>
        <button type="button" className="secondary" onClick={close}>
          Close
        </button>
      </div>
      <VersionDiff
        from={e.loaded}
        to={compared.entry.document}
        fromLabel={`current (rev ${e.revision ?? '?'})`}
        toLabel={`rev ${compared.entry.modRevision}`}
      />
      {compared.confirm && (
        <div className="confirm" data-testid="rollback-confirm">
          <p>Roll back? The version of revision {compared.entry.modRevision} becomes the current one, as shown above.</p>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                close();
                void e.rollback(compared.entry.modRevision);
              }}
            >
              Roll back to rev {compared.entry.modRevision}
            </button>
            <button type="button" className="secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
  return (
    <EditorFrame
      title={title}
      editor={e}
      doc={doc}
      onSave={(over) => void e.save(doc, over)}
      form={form}
      below={below}
      side={
        <>
          {extra}
          {id && (
            <HistoryPanel
              api={e.api}
              id={id}
              version={e.historyVersion}
              current={e.revision}
              compared={compared?.entry.modRevision}
              readOnly={e.readOnly}
              onCompare={(entry) => setCompared(compared?.entry.modRevision === entry.modRevision && !compared.confirm ? undefined : { entry, confirm: false })}
              onRollback={(entry) => setCompared({ entry, confirm: true })}
            />
          )}
        </>
      }
    />
  );
}
