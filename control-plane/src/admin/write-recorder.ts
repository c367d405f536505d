import type { FastifyRequest } from 'fastify';
import { kindByCollection, redactSecrets, type AuditAction, type AuditEntry } from '@sluice/model';
import type { AuditLog } from '../store/audit-log.js';
import type { Document } from '../store/etcd-repo.js';

export interface RecordedWrite {
  action: AuditAction;
  collection: string;
  id: string;
  before?: Document;
  after?: Document;
}

/**
 * What follows every successful admin write: its revision is noted for `?wait=applied`, and
 * one audit entry per document is appended, naming the key. The audit write comes after the
 * document write (etcd cannot put both in a guarded write we already made), so a failed
 * append is logged, never turned into a failed reply for a write that happened.
 */
export function createWriteRecorder(audit: AuditLog) {
  return async function recordWrite(request: FastifyRequest, revision: number, writes: RecordedWrite[]): Promise<void> {
    request.writeRevision = revision;
    // What the data planes must serve for `?wait=applied`: stored documents (a deletion only needs the revision).
    request.writtenKeys = writes.filter((w) => w.after !== undefined && kindByCollection(w.collection)?.adminWritable).map((w) => `${w.collection}/${w.id}`);
    const who = request.identity ?? { name: 'unknown', role: 'admin' as const };
    const at = new Date().toISOString();
    const entries: AuditEntry[] = writes.map((w) => {
      const entry: AuditEntry = { at, key: who.name, role: who.role, action: w.action, collection: w.collection, id: w.id, revision };
      // The audit log is read by every role: secrets are stored there as the placeholder only.
      const spec = kindByCollection(w.collection);
      const before = spec ? redactSecrets(spec, w.before) : w.before;
      const after = spec ? redactSecrets(spec, w.after) : w.after;
      if (before) entry.before = before;
      if (after) entry.after = after;
      return entry;
    });
    try {
      await audit.append(entries);
    } catch (err) {
      request.log.error({ err: String(err), revision }, 'audit log append failed');
    }
  };
}

export type WriteRecorder = ReturnType<typeof createWriteRecorder>;
