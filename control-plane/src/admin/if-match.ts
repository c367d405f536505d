import { GatewayError } from '@sluice/model';

/** A parsed If-Match or If-None-Match header: `*` (any existing version) or a list of mod revisions. */
export type IfMatch = { any: true; raw: string } | { any: false; revisions: number[]; raw: string };

/** Accepts `"12"`, `12`, `W/"12"`, `*` and comma-separated lists of those; `name` is the header, for the error. */
export function parseIfMatch(header: string | string[] | undefined, name = 'If-Match'): IfMatch | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw.trim() === '') return undefined;
  if (raw.trim() === '*') return { any: true, raw: '*' };
  const revisions = raw.split(',').map((part) => {
    const value = part
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1');
    if (!/^\d+$/.test(value)) {
      throw new GatewayError('GW_ERR_BAD_REQUEST', {
        detail: `${name} must be a mod revision (as in the ETag) or *, got ${JSON.stringify(part.trim())}`,
      });
    }
    return Number(value);
  });
  return { any: false, revisions, raw: raw.trim() };
}

/** Whether the current mod revision (undefined = the document does not exist) satisfies the header. */
export function ifMatchHolds(ifMatch: IfMatch, currentModRevision: number | undefined): boolean {
  if (currentModRevision === undefined) return false;
  return ifMatch.any || ifMatch.revisions.includes(currentModRevision);
}
