import { useState, type ReactNode } from 'react';
import type { ApiError } from '../api/client';
import { JsonEditor } from './json-editor';
import { ownerRef } from './owner-badge';
import type { AppliedSummary, Doc } from './use-document-editor';

export interface EditorFrameProps {
  title: string;
  doc: Doc;
  setDoc: (doc: Doc) => void;
  readOnly: boolean;
  /** managed: owned by Kubernetes; role: the signed-in key may not write it. */
  readOnlyReason?: 'managed' | 'role';
  isNew: boolean;
  revision?: string;
  error?: ApiError;
  notice?: string;
  appliedSummary?: AppliedSummary;
  onSave: () => void;
  onDelete: () => void;
  /** The form tab; without it the editor is JSON only. */
  form?: ReactNode;
  side?: ReactNode;
}

/** Title, ownership banner, Form/JSON tabs, issues and actions shared by every editor. */
export function EditorFrame(p: EditorFrameProps) {
  const [tab, setTab] = useState<'form' | 'json'>(p.form ? 'form' : 'json');
  const [jsonValid, setJsonValid] = useState(true);
  const owner = p.doc.owner;
  return (
    <section className="editor-layout">
      <form
        className="editor card"
        onSubmit={(e) => {
          e.preventDefault();
          p.onSave();
        }}
      >
        <div className="page-head">
          <h1>{p.title}</h1>
          {p.revision && <span className="muted">revision {p.revision}</span>}
        </div>
        {p.readOnly && p.readOnlyReason !== 'role' && owner && (
          <p className="banner" role="status" data-testid="read-only-banner">
            Read-only: managed by {owner.kind} <strong>{ownerRef(owner)}</strong>. Change that Kubernetes object instead.
          </p>
        )}
        {p.readOnly && p.readOnlyReason === 'role' && (
          <p className="banner" role="status" data-testid="role-read-only-banner">
            Read-only: your key may not change this document.
          </p>
        )}
        {p.form && (
          <div className="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={tab === 'form'} onClick={() => setTab('form')} disabled={!jsonValid}>
              Form
            </button>
            <button type="button" role="tab" aria-selected={tab === 'json'} onClick={() => setTab('json')}>
              JSON
            </button>
          </div>
        )}
        <fieldset disabled={p.readOnly}>
          {tab === 'form' ? p.form : <JsonEditor value={p.doc} onChange={p.setDoc} readOnly={p.readOnly} onValidity={setJsonValid} />}
        </fieldset>
        {p.error && (
          <div className="error" role="alert" data-testid="save-error">
            <strong>{p.error.message}</strong>
            {p.error.issues.length > 0 && (
              <ul>
                {p.error.issues.map((i) => (
                  <li key={i.path + i.message}>
                    <code>{i.path || '/'}</code> {i.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {p.notice && (
          <p className="notice" role="status">
            {p.notice}
          </p>
        )}
        {p.appliedSummary && (
          <p className={p.appliedSummary.applied === p.appliedSummary.total ? 'notice' : 'banner'} data-testid="applied-summary">
            Applied on {p.appliedSummary.applied}/{p.appliedSummary.total} data planes.
          </p>
        )}
        {!p.readOnly && (
          <div className="actions">
            <button type="submit" disabled={!jsonValid}>
              {p.isNew ? 'Create' : 'Save'}
            </button>
            {!p.isNew && (
              <button type="button" className="danger" onClick={p.onDelete}>
                Delete
              </button>
            )}
          </div>
        )}
      </form>
      {p.side}
    </section>
  );
}
