import { isManaged, type AppliedState } from '@sluice/model/browser';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { adminApi } from '../api/admin-api';
import { ApiError, resource, type Collection, type Versioned } from '../api/client';
import { canWrite } from '../can-write';
import { navigate } from '../router';
import { useGatewayEvents } from '../use-gateway-events';
import { useWhoAmI } from '../who-am-i';
import { createFormIssues } from './form-issues';
import { setField, type Doc } from './set-field';

export type { Doc } from './set-field';

/** Whether the data planes serve the version shown: the document's state from `/applied`. */
export type AppliedSummary = Pick<AppliedState, 'state' | 'reason' | 'dataplanes'>;

/** Someone saved the document after it was opened: their version, to reload or compare with ours. */
export interface Conflict {
  theirs: Doc;
  revision?: string;
}

/** A notice for the page a Create navigates to (the editor there is a new instance). */
const flashes = new Map<string, string>();

/**
 * Loading, editing and saving one document: keeps the revision it was read at and sends it
 * as If-Match, so a save over someone else's change is refused (and offered as reload or
 * compare) instead of silently lost; a new document is created with If-None-Match: *, so it
 * never replaces one that exists. Saves wait for the data planes (`?wait=applied`); the
 * document's applied state (applied, rejected with the reason, pending) is read on load and
 * after every write, and read again whenever a data plane reports.
 */
export function useDocumentEditor(collection: Collection, id: string | undefined, blank: Doc) {
  const api = resource(collection);
  const who = useWhoAmI();
  const [doc, setDoc] = useState<Doc>(() => (who.labels && id === undefined ? { ...blank, labels: { ...who.labels } } : blank));
  const [loaded, setLoaded] = useState<Doc>({});
  const [revision, setRevision] = useState<string>();
  const [loading, setLoading] = useState(id !== undefined);
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string | undefined>(() => (id === undefined ? undefined : takeFlash(collection, id)));
  const [appliedSummary, setAppliedSummary] = useState<AppliedSummary>();
  const [conflict, setConflict] = useState<Conflict>();
  const [historyVersion, setHistoryVersion] = useState(0);
  const formIssues = useMemo(createFormIssues, []);

  const refreshApplied = useCallback(async () => {
    if (id === undefined) return;
    try {
      const state = await adminApi.applied(collection, id);
      setAppliedSummary({ state: state.state, reason: state.reason, dataplanes: state.dataplanes });
    } catch {
      setAppliedSummary(undefined);
    }
  }, [collection, id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: api and refreshApplied follow collection and id
  const load = useCallback(async () => {
    if (id === undefined) return;
    setLoading(true);
    try {
      const got = await api.get(id);
      setDoc(got.doc as Doc);
      setLoaded(got.doc as Doc);
      setRevision(got.revision);
      setError(undefined);
      setConflict(undefined);
      void refreshApplied();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoading(false);
      setHistoryVersion((v) => v + 1);
    }
  }, [collection, id]);
  useEffect(() => void load(), [load]);

  // A data plane that reports (applied a revision, bound a port, rejected something) may change this document's state.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useGatewayEvents((event) => {
    if (event.type !== 'dataplane' || id === undefined) return;
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      void refreshApplied();
    }, 200);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  const save = async (toSave: Doc, over?: string) => {
    setNotice(undefined);
    setError(undefined);
    setConflict(undefined);
    setAppliedSummary(undefined);
    const local = formIssues.list();
    if (local.length) {
      setError(
        new ApiError(0, 'GW_ERR_VALIDATION', `Nothing was saved: fix ${local.length === 1 ? 'the field' : `the ${local.length} fields`} marked below.`, local),
      );
      return;
    }
    const idField = api.spec.idField;
    const docId = id ?? (toSave[idField] ? String(toSave[idField]) : undefined);
    const wait = { waitApplied: true };
    try {
      const saved: Versioned<unknown> =
        docId === undefined
          ? await api.create(toSave as any, wait)
          : id === undefined
            ? await api.put(docId, toSave as any, undefined, { ...wait, createOnly: true })
            : await api.put(docId, toSave as any, over ?? revision, wait);
      await afterWrite(String((saved.doc as Doc)[idField]), saved.revision);
    } catch (err) {
      const failure = asApiError(err);
      // Stored, but a data plane refuses it: the editor shows the stored version and why (a POST names its id in Location).
      const storedId = docId ?? failure.headers?.get('location')?.split('/').pop();
      if (failure.code === 'GW_ERR_NOT_APPLIED' && storedId) return afterWrite(decodeURIComponent(storedId), failure.headers?.get('etag') ?? undefined);
      if (failure.code === 'GW_ERR_CONFLICT' && id !== undefined) {
        try {
          const theirs = await api.get(id);
          setConflict({ theirs: theirs.doc as Doc, revision: theirs.revision });
        } catch {
          /* the error below says enough */
        }
      }
      setError(failure);
    }
  };

  /** After a write: a new document's page takes over; an existing one shows what is stored and whether it is served. */
  const afterWrite = async (savedId: string, savedRevision: string | undefined) => {
    if (id === undefined) {
      flashes.set(`${collection}/${savedId}`, `Created at revision ${unquote(savedRevision)}.`);
      navigate(`/${collection}/${encodeURIComponent(savedId)}`);
      return;
    }
    await load();
    setNotice(`Saved at revision ${unquote(savedRevision)}.`);
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

  /** Writes an earlier version back (the page asked for confirmation), then shows it and its fresh applied state. */
  const rollback = async (modRevision: number) => {
    if (id === undefined) return;
    setNotice(undefined);
    setError(undefined);
    setAppliedSummary(undefined);
    try {
      await api.rollback(id, modRevision, { waitApplied: true });
    } catch (err) {
      const failure = asApiError(err);
      if (failure.code !== 'GW_ERR_NOT_APPLIED') return setError(failure);
    }
    await load();
    setNotice(`Rolled back to the version of revision ${modRevision}.`);
  };

  /** Sets one field of the form's document (an emptied value removes it: `setField`). */
  const set = useCallback((path: string[], value: unknown) => setDoc((current) => setField(current, path, value)), []);

  const managed = isManaged(doc);
  const allowed = canWrite(who, collection, id === undefined ? undefined : loaded);
  return {
    api,
    collection,
    doc,
    setDoc,
    set,
    /** The last save's issues by JSON pointer, for the fields to show. */
    fieldErrors: error?.fieldErrors ?? {},
    loaded,
    revision: unquote(revision),
    loading,
    error,
    notice,
    appliedSummary,
    conflict,
    historyVersion,
    formIssues,
    managed,
    /** Why the page is read-only, or undefined when it is editable. */
    readOnlyReason: managed ? ('managed' as const) : allowed ? undefined : ('role' as const),
    readOnly: managed || !allowed,
    isNew: id === undefined,
    save,
    reload: load,
    remove,
    rollback,
  };
}

export type DocumentEditor = ReturnType<typeof useDocumentEditor>;

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'CLIENT', (err as Error).message);
}

function takeFlash(collection: string, id: string): string | undefined {
  const key = `${collection}/${id}`;
  const flash = flashes.get(key);
  flashes.delete(key);
  return flash;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/"/g, '');
}
