import { useState, type ReactNode } from 'react';
import { FormIssuesContext } from './form-issues';
import { JsonEditor } from './json-editor';
import { ownerRef } from './owner-badge';
import type { AppliedSummary, Doc, DocumentEditor } from './use-document-editor';
import { VersionDiff } from './version-diff';

export interface EditorFrameProps {
  title: string;
  editor: DocumentEditor;
  /** The document as the form shows it (defaults to the editor's). */
  doc: Doc;
  onSave: (over?: string) => void;
  /** The form tab; without it the editor is JSON only. */
  form?: ReactNode;
  /** Under the form, in the main column (version comparison, rollback confirmation). */
  below?: ReactNode;
  side?: ReactNode;
}

/** Title, ownership banner, Form/JSON tabs, issues, conflicts, applied state and actions shared by every editor. */
export function EditorFrame({ title, editor: e, doc, onSave, form, below, side }: EditorFrameProps) {
  const [tab, setTab] = useState<'form' | 'json'>(form ? 'form' : 'json');
  const [jsonValid, setJsonValid] = useState(true);
  const owner = doc.owner;
  return (
    <section className="editor-layout">
      <div className="editor-main">
        <form
          className="editor card"
          onSubmit={(ev) => {
            ev.preventDefault();
            onSave();
          }}
        >
          <div className="page-head">
            <h1>{title}</h1>
            {e.revision && <span className="muted">revision {e.revision}</span>}
          </div>
          {e.readOnly && e.readOnlyReason !== 'role' && owner && (
            <p className="banner" role="status" data-testid="read-only-banner">
              Read-only: managed by {owner.kind} <strong>{ownerRef(owner)}</strong>. Change that Kubernetes object instead.
            </p>
          )}
          {e.readOnly && e.readOnlyReason === 'role' && (
            <p className="banner" role="status" data-testid="role-read-only-banner">
              Read-only: your key may not change this document.
            </p>
          )}
          {form && (
            <div className="tabs" role="tablist">
              <button type="button" role="tab" aria-selected={tab === 'form'} onClick={() => setTab('form')} disabled={!jsonValid}>
                Form
              </button>
              <button type="button" role="tab" aria-selected={tab === 'json'} onClick={() => setTab('json')}>
                JSON
              </button>
            </div>
          )}
          <FormIssuesContext.Provider value={e.formIssues}>
            <fieldset disabled={e.readOnly}>
              {tab === 'form' ? form : <JsonEditor value={doc} onChange={e.setDoc} readOnly={e.readOnly} onValidity={setJsonValid} />}
            </fieldset>
          </FormIssuesContext.Provider>
          {e.conflict && <ConflictBanner editor={e} doc={doc} onSaveOver={() => onSave(e.conflict?.revision)} />}
          {e.error && !e.conflict && (
            <div className="error" role="alert" data-testid="save-error">
              <strong>{e.error.message}</strong>
              {e.error.issues.length > 0 && (
                <ul>
                  {e.error.issues.map((i) => (
                    <li key={i.path + i.message}>
                      <code>{i.path || '/'}</code> {i.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {e.notice && (
            <p className="notice" role="status">
              {e.notice}
            </p>
          )}
          {e.appliedSummary && (
            <p
              className={e.appliedSummary.state === 'applied' ? 'notice' : e.appliedSummary.state === 'rejected' ? 'error' : 'banner'}
              data-testid="applied-summary"
              role="status"
            >
              {appliedText(e.appliedSummary)}
            </p>
          )}
          {!e.readOnly && (
            <div className="actions">
              <button type="submit" disabled={!jsonValid}>
                {e.isNew ? 'Create' : 'Save'}
              </button>
              {!e.isNew && (
                <button type="button" className="danger" onClick={() => void e.remove()}>
                  Delete
                </button>
              )}
            </div>
          )}
        </form>
        {below}
      </div>
      {side}
    </section>
  );
}

/** Someone saved in between: reload theirs, compare it with ours, or save ours over it knowingly. */
function ConflictBanner({ editor: e, doc, onSaveOver }: { editor: DocumentEditor; doc: Doc; onSaveOver: () => void }) {
  const [comparing, setComparing] = useState(false);
  const theirs = e.conflict!;
  const at = theirs.revision?.replace(/"/g, '');
  return (
    <div className="banner conflict" role="alert" data-testid="conflict">
      <p>
        Not saved: someone changed this {e.api.spec.kind} after you opened it{at ? ` (it is now at revision ${at})` : ''}. Reload their version, or compare it
        with yours first.
      </p>
      <div className="actions">
        <button type="button" onClick={() => void e.reload()}>
          Reload
        </button>
        <button type="button" className="secondary" aria-pressed={comparing} onClick={() => setComparing(!comparing)}>
          Compare
        </button>
        <button type="button" className="danger" onClick={onSaveOver}>
          Save mine anyway
        </button>
      </div>
      {comparing && <VersionDiff from={theirs.theirs} to={doc} fromLabel={`stored (revision ${at ?? '?'})`} toLabel="your edit" />}
    </div>
  );
}

/** "Applied on 2/2 data planes.", or why not: the rejecting data plane's reason, or what is awaited. */
export function appliedText(s: AppliedSummary): string {
  const total = s.dataplanes.length;
  const applied = s.dataplanes.filter((d) => d.applied).length;
  if (s.state === 'applied') return `Applied on ${applied}/${total} data planes.`;
  if (s.state === 'rejected') return `Not applied: rejected by ${s.reason ?? 'a data plane'}.`;
  if (total === 0) return 'Not applied: no data plane is live.';
  return `Applying: ${applied}/${total} data planes so far (${s.reason ?? 'waiting'}).`;
}
