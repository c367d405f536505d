import { isManaged } from '@sluice/model/browser';
import { useCallback, useEffect, useState } from 'react';
import { adminApi } from '../api/admin-api';
import { ApiError, resource, type Collection, type Versioned } from '../api/client';
import { canWrite } from '../can-write';
import { navigate } from '../router';
import { useWhoAmI } from '../who-am-i';
import { mergePatchOf } from './merge-patch-of';

export type Doc = Record<string, any>;

export interface EditorOptions {
  /**
   * Save edits as a merge patch of what changed instead of a full PUT: for kinds whose GET
   * leaves out a stored field (an ssl's key), so saving does not drop it.
   */
  patchOnSave?: boolean;
}

/** How far a write got: every live data plane, or how many of them. */
export interface AppliedSummary {
  applied: number;
  total: number;
}

/**
 * Loading, editing and saving one document: keeps the revision it was read at and sends it
 * as If-Match, so a save over someone else's change is refused instead of silently lost.
 * Saves wait for the data planes (`?wait=applied`) and report on how many it went live.
 */
export function useDocumentEditor(collection: Collection, id: string | undefined, blank: Doc, options: EditorOptions = {}) {
  const api = resource(collection);
  const who = useWhoAmI();
  const [doc, setDoc] = useState<Doc>(() => (who.labels && id === undefined ? { ...blank, labels: { ...who.labels } } : blank));
  const [loaded, setLoaded] = useState<Doc>({});
  const [revision, setRevision] = useState<string>();
  const [loading, setLoading] = useState(id !== undefined);
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [appliedSummary, setAppliedSummary] = useState<AppliedSummary>();
  const [historyVersion, setHistoryVersion] = useState(0);

  const load = useCallback(async () => {
    if (id === undefined) return;
    setLoading(true);
    try {
      const got = await api.get(id);
      setDoc(got.doc as Doc);
      setLoaded(got.doc as Doc);
      setRevision(got.revision);
      setError(undefined);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoading(false);
      setHistoryVersion((v) => v + 1);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [collection, id]);
  useEffect(() => void load(), [load]);

  /** After a write that waited: ask which data planes run it (the header only says all or not). */
  const reportApplied = async (savedId: string, saved: Versioned<unknown>) => {
    try {
      const state = await adminApi.applied(collection, savedId);
      setAppliedSummary({ applied: state.dataplanes.filter((d) => d.applied).length, total: state.dataplanes.length });
    } catch {
      // Older control planes have no /applied: fall back to the header's yes/no.
      setAppliedSummary(saved.applied === undefined ? undefined : { applied: saved.applied ? 1 : 0, total: 1 });
    }
  };

  const save = async (toSave: Doc) => {
    setNotice(undefined);
    setError(undefined);
    setAppliedSummary(undefined);
    try {
      const idField = api.spec.idField;
      const docId = id ?? (toSave[idField] ? String(toSave[idField]) : undefined);
      const wait = { waitApplied: true };
      const saved =
        docId === undefined
          ? await api.create(toSave as any, wait)
          : id !== undefined && options.patchOnSave
            ? await api.patch(docId, mergePatchOf(loaded, toSave) as any, revision, wait)
            : await api.put(docId, toSave as any, revision, wait);
      const savedId = String((saved.doc as Doc)[idField]);
      if (id === undefined) {
        navigate(`/${collection}/${encodeURIComponent(savedId)}`);
        return;
      }
      setDoc(saved.doc as Doc);
      setLoaded(saved.doc as Doc);
      setRevision(saved.revision);
      setNotice(`Saved at revision ${unquote(saved.revision)}.`);
      setHistoryVersion((v) => v + 1);
      await reportApplied(savedId, saved);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const remove = async () => {
    if (id === undefined || !confirm(`Delete ${api.spec.kind} ${id}?`)) return;
    try {
      await api.remove(id, revision);
      navigate(`/${collection}`);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const rollback = async (modRevision: number) => {
    if (id === undefined) return;
    try {
      await api.rollback(id, modRevision);
      await load();
      setNotice(`Rolled back to the version of revision ${modRevision}.`);
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const managed = isManaged(doc);
  const allowed = canWrite(who, collection, id === undefined ? undefined : loaded);
  return {
    api,
    collection,
    doc,
    setDoc,
    revision: unquote(revision),
    loading,
    error,
    notice,
    appliedSummary,
    historyVersion,
    managed,
    /** Why the page is read-only, or undefined when it is editable. */
    readOnlyReason: managed ? ('managed' as const) : allowed ? undefined : ('role' as const),
    readOnly: managed || !allowed,
    isNew: id === undefined,
    save,
    remove,
    rollback,
  };
}

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'CLIENT', (err as Error).message);
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/"/g, '');
}
