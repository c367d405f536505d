import type { Document } from '../store/etcd-repo.js';

/**
 * Fields that are written but never read back, per collection: an ssl's private key. Replies
 * say `<field>Stored: true` instead, and a write without the field keeps the stored one.
 */
const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = { ssls: ['key'] };

const storedFlag = (field: string) => `${field}Stored`;

/** The document as a client may see it. */
export function redactSecrets(collection: string, doc: Document): Document {
  const fields = SECRET_FIELDS[collection];
  if (!fields) return doc;
  const out: Document = { ...doc };
  for (const field of fields) {
    if (out[field] === undefined) continue;
    delete out[field];
    out[storedFlag(field)] = true;
  }
  return out;
}

/** Drops the secrets without a marker (audit entries). */
export function withoutSecrets(collection: string, doc: Document | undefined): Document | undefined {
  const fields = SECRET_FIELDS[collection];
  if (!fields || !doc) return doc;
  const out: Document = { ...doc };
  for (const field of fields) delete out[field];
  return out;
}

/** What a client sent, with the markers removed and a missing secret taken from the stored version. */
export function keepStoredSecrets(collection: string, input: Document, stored: Document | undefined): Document {
  const fields = SECRET_FIELDS[collection];
  if (!fields) return input;
  const out: Document = { ...input };
  for (const field of fields) {
    delete out[storedFlag(field)];
    if (out[field] === undefined && stored?.[field] !== undefined) out[field] = stored[field];
  }
  return out;
}
