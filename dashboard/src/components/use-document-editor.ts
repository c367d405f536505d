import { isManaged } from '@sluice/model';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, resource, type Collection } from '../api/client';
import { navigate } from '../router';

export type Doc = Record<string, any>;

/**
 * Loading, editing and saving one document: keeps the revision it was read at and sends it
 * as If-Match, so a save over someone else's change is refused instead of silently lost.
 */
export function useDocumentEditor(collection: Collection, id: string | undefined, blank: Doc) {
  const api = resource(collection);
  const [doc, setDoc] = useState<Doc>(blank);
  const [revision, setRevision] = useState<string>();
  const [loading, setLoading] = useState(id !== undefined);
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [historyVersion, setHistoryVersion] = useState(0);

  const load = useCallback(async () => {
    if (id === undefined) return;
    setLoading(true);
    try {
      const got = await api.get(id);
      setDoc(got.doc as Doc);
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

  const save = async (toSave: Doc) => {
    setNotice(undefined);
    setError(undefined);
    try {
      const idField = api.spec.idField;
      const docId = id ?? (toSave[idField] ? String(toSave[idField]) : undefined);
      const saved = docId === undefined ? await api.create(toSave as any) : await api.put(docId, toSave as any, revision);
      const savedId = String((saved.doc as Doc)[idField]);
      if (id === undefined) {
        navigate(`/${collection}/${encodeURIComponent(savedId)}`);
        return;
      }
      setDoc(saved.doc as Doc);
      setRevision(saved.revision);
      setNotice(`Saved at revision ${unquote(saved.revision)}.`);
      setHistoryVersion((v) => v + 1);
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

  return {
    api,
    doc,
    setDoc,
    revision: unquote(revision),
    loading,
    error,
    notice,
    historyVersion,
    readOnly: isManaged(doc),
    isNew: id === undefined,
    save,
    remove,
    rollback,
  };
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'CLIENT', (err as Error).message);
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/"/g, '');
}
