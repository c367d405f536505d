import { GatewayError, isManaged, keepStoredSecrets, kindByCollection, type KindSpec, type Owner, type ValidationIssue } from '@sluice/model';
import type { Document, EtcdRepo, StoredDocument } from '../store/etcd-repo.js';
import { generateId } from './generate-id.js';
import { ifMatchHolds, type IfMatch } from './if-match.js';
import { encodeCursor, hasFilters, matchesListQuery, type ListQuery } from './list-query.js';
import { mergePatch } from './merge-patch.js';
import { prepareDocument, validationError } from './prepare-document.js';
import { describeReferrers, findReferrers, missingReferences } from './reference-guard.js';
import type { WriteAuthorizer } from './authorize-write.js';
import { runtimeIssues, type RuntimeContext } from './runtime-checks.js';

export interface WriteGuards {
  ifMatch?: IfMatch;
  /** `If-None-Match: *` (create only) or revisions the document must not be at. */
  ifNoneMatch?: IfMatch;
  force: boolean;
  /** The caller's scope (editor keys): checked against the stored and the new document. */
  authorize?: WriteAuthorizer;
}

export interface WriteResult {
  doc: Document;
  modRevision: number;
  created: boolean;
  /** The version replaced, for the audit log. */
  previous?: Document;
}

export interface DeleteResult {
  revision: number;
  previous: Document;
}

export interface ListResult {
  items: StoredDocument[];
  total: number;
  nextCursor?: string;
}

export interface HistoryEntry {
  modRevision: number;
  updatedAt?: unknown;
  document: Document;
}

/** How a write builds the new document from the current one (undefined when creating). */
type Compose = (current: Document | undefined) => Document;

/** When no If-Match was sent, a write that lost a race re-reads and tries again this many times. */
const RACE_RETRIES = 3;

/**
 * The admin operations, generic over the kind registry: nothing here knows one kind from
 * another (STYLE.md principle 5). HTTP lives in document-routes.ts.
 */
export function createDocumentService(repo: EtcdRepo, runtime?: RuntimeContext) {
  async function read(spec: KindSpec, id: string): Promise<StoredDocument> {
    const stored = await repo.get(spec.collection, id);
    if (!stored) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: spec.kind, id });
    return stored;
  }

  /** The checks every change of an existing document goes through, in the order a client is told about them. */
  function guardExisting(spec: KindSpec, id: string, current: StoredDocument | undefined, guards: WriteGuards): void {
    if (guards.ifMatch && !ifMatchHolds(guards.ifMatch, current?.modRevision)) {
      const actual = current?.modRevision ?? 'none (it does not exist)';
      throw new GatewayError(
        'GW_ERR_CONFLICT',
        { kind: spec.kind, id, expected: guards.ifMatch.raw, actual },
        { expected: guards.ifMatch.raw, actual: current?.modRevision ?? null },
      );
    }
    if (current && isManaged(current.doc as { owner?: Owner }) && !guards.force) {
      const owner = current.doc.owner as Owner;
      throw new GatewayError(
        'GW_ERR_MANAGED',
        {
          kind: spec.kind,
          id,
          ownerKind: owner.kind,
          ownerRef: [owner.namespace, owner.name].filter(Boolean).join('/') || '(unnamed)',
        },
        { owner },
      );
    }
  }

  async function write(
    spec: KindSpec,
    id: string,
    compose: Compose,
    guards: WriteGuards,
    mode: { mustExist?: boolean; mustNotExist?: boolean } = {},
  ): Promise<WriteResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await repo.get(spec.collection, id);
      // Create-only first: a "New …" form must never replace what is there, whatever else is wrong.
      if (guards.ifNoneMatch && current && ifMatchHolds(guards.ifNoneMatch, current.modRevision)) {
        throw new GatewayError('GW_ERR_PRECONDITION_FAILED', { kind: spec.kind, id, given: guards.ifNoneMatch.raw });
      }
      if (mode.mustExist && !current) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: spec.kind, id });
      if (mode.mustNotExist && current) throw new GatewayError('GW_ERR_ALREADY_EXISTS', { kind: spec.kind, id });
      guardExisting(spec, id, current, guards);
      const kept = keepStoredSecrets(spec, compose(current?.doc), current?.doc);
      if (kept.issues.length) throw validationError(spec, kept.issues);
      const doc = prepareDocument(spec, id, kept.doc, { force: guards.force, previous: current?.doc });
      const extra = await runtimeIssues(spec.collection, doc, runtime);
      if (extra.length) throw validationError(spec, extra);
      guards.authorize?.(current?.doc, doc);
      const missing = await missingReferences(repo, spec, doc);
      if (missing.length) {
        const first = missing[0];
        throw new GatewayError(
          'GW_ERR_REFERENCE',
          { kind: spec.kind, id, refKind: kindByCollection(first.collection)?.kind ?? first.collection, refId: first.id, path: first.path },
          missing,
        );
      }
      try {
        // Always guarded by what was read, so a document that became managed (or changed)
        // between the checks above and this write is never overwritten blindly.
        const modRevision = await repo.put(spec.collection, id, doc, current ? { ifModRevision: current.modRevision } : { mustNotExist: true });
        return { doc, modRevision, created: !current, previous: current?.doc };
      } catch (err) {
        if (!isRace(err) || guards.ifMatch || mode.mustNotExist || attempt >= RACE_RETRIES) throw err;
      }
    }
  }

  return {
    async get(spec: KindSpec, id: string): Promise<StoredDocument> {
      return read(spec, id);
    },

    async list(spec: KindSpec, query: ListQuery): Promise<ListResult> {
      if (!hasFilters(query)) {
        const page = await repo.list(spec.collection, { limit: query.limit, continueFrom: query.after });
        const total = await repo.count(spec.collection);
        const last = page.items[page.items.length - 1];
        return { items: page.items, total, nextCursor: page.more && last ? encodeCursor(last.id) : undefined };
      }
      // Filters need the whole collection for `total`; ids sort as etcd keys do, so the cursor still works.
      const matching = (await repo.listAll(spec.collection)).filter((s) => matchesListQuery(query, s.id, s.doc));
      const start = query.after === undefined ? 0 : matching.findIndex((s) => s.id > query.after!);
      const page = start < 0 ? [] : matching.slice(start, start + query.limit);
      const more = start >= 0 && start + query.limit < matching.length;
      return {
        items: page,
        total: matching.length,
        nextCursor: more ? encodeCursor(page[page.length - 1].id) : undefined,
      };
    },

    /** PUT: create or replace. */
    put: (spec: KindSpec, id: string, body: Document, guards: WriteGuards) => write(spec, id, () => body, guards),

    /** POST: create under the body's own key field, or a generated id when the key is `id`. */
    create(spec: KindSpec, body: Document, guards: WriteGuards): Promise<WriteResult> {
      const key = body[spec.idField];
      if (key === undefined && spec.idField !== 'id') {
        throw validationError(spec, [{ path: `/${spec.idField}`, message: 'is required' }]);
      }
      if (key !== undefined && typeof key !== 'string') {
        throw validationError(spec, [{ path: `/${spec.idField}`, message: 'must be string' }]);
      }
      const id = key ?? generateId();
      return write(spec, id, () => body, guards, { mustNotExist: true });
    },

    /** PATCH: RFC 7386 merge patch over the stored document. */
    patch: (spec: KindSpec, id: string, patch: Document, guards: WriteGuards) =>
      write(spec, id, (current) => mergePatch(current, patch) as Document, guards, { mustExist: true }),

    async delete(spec: KindSpec, id: string, guards: WriteGuards): Promise<DeleteResult> {
      for (let attempt = 1; ; attempt++) {
        const current = await read(spec, id);
        guardExisting(spec, id, current, guards);
        guards.authorize?.(current.doc, undefined);
        const referrers = await findReferrers(repo, spec.collection, id);
        if (referrers.length) {
          throw new GatewayError('GW_ERR_IN_USE', { kind: spec.kind, id, refs: describeReferrers(referrers) }, referrers);
        }
        try {
          const revision = await repo.deleteRevision(spec.collection, id, { ifModRevision: current.modRevision });
          if (revision !== undefined) return { revision, previous: current.doc };
          throw new GatewayError('GW_ERR_NOT_FOUND', { kind: spec.kind, id });
        } catch (err) {
          if (!isRace(err) || guards.ifMatch || attempt >= RACE_RETRIES) throw err;
        }
      }
    },

    async history(spec: KindSpec, id: string): Promise<HistoryEntry[]> {
      const versions = await repo.history(spec.collection, id);
      if (!versions) throw new GatewayError('GW_ERR_NOT_FOUND', { kind: spec.kind, id });
      return versions.map((v) => ({ modRevision: v.modRevision, updatedAt: v.doc.updatedAt, document: v.doc }));
    },

    /** Writes an earlier version back as the new current one, through every check a PUT has. */
    async rollback(spec: KindSpec, id: string, modRevision: number, guards: WriteGuards): Promise<WriteResult> {
      const version = await repo.getVersion(spec.collection, id, modRevision);
      if (!version) {
        throw new GatewayError('GW_ERR_NOT_FOUND', { kind: spec.kind, id: `${id} at mod revision ${modRevision}` });
      }
      // Timestamps are the server's; the old owner stays, so restoring a managed version needs ?force=true.
      const { createdAt: _created, updatedAt: _updated, ...body } = version.doc;
      return write(spec, id, () => body, guards, { mustExist: true });
    },

    /** POST /validate: every check a PUT makes, without writing. */
    async validate(spec: KindSpec, body: Document): Promise<{ valid: boolean; issues: ValidationIssue[] }> {
      if (body[spec.idField] === undefined && spec.idField !== 'id') {
        return { valid: false, issues: [{ path: `/${spec.idField}`, message: 'is required' }] };
      }
      const id = typeof body[spec.idField] === 'string' ? (body[spec.idField] as string) : generateId();
      try {
        // Placeholders of stored secrets stand for the stored values, as on a write.
        const kept = keepStoredSecrets(spec, body, (await repo.get(spec.collection, id))?.doc);
        if (kept.issues.length) return { valid: false, issues: kept.issues };
        const doc = prepareDocument(spec, id, kept.doc, { force: true });
        const checked = await runtimeIssues(spec.collection, doc, runtime);
        if (checked.length) return { valid: false, issues: checked };
        const issues = (await missingReferences(repo, spec, doc)).map((r) => ({
          path: r.path,
          message: `refers to missing ${kindByCollection(r.collection)?.kind ?? r.collection} ${r.id}`,
        }));
        return { valid: issues.length === 0, issues };
      } catch (err) {
        if (!(err instanceof GatewayError) || err.status !== 400) throw err;
        const issues = (err.details as ValidationIssue[] | undefined) ?? [{ path: '/id', message: err.message }];
        return { valid: false, issues };
      }
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;

function isRace(err: unknown): boolean {
  return err instanceof GatewayError && (err.code === 'GW_ERR_CONFLICT' || err.code === 'GW_ERR_ALREADY_EXISTS');
}
