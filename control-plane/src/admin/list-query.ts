import { GatewayError, isManaged, type Owner } from '@sluice/model';
import { parseLabelFilters, type LabelFilter } from './parse-label-filters.js';

/** The filters and page of `GET /api/v1/<type>`. */
export interface ListQuery {
  name?: string;
  /** All must match; a label without a value matches on the key alone. */
  labels: LabelFilter[];
  owner?: string;
  q?: string;
  limit: number;
  /** The id after which the page starts (decoded cursor). */
  after?: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

type Query = Record<string, string | string[] | undefined>;

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[value.length - 1] : value);

export function parseListQuery(query: Query): ListQuery {
  const limitText = single(query.limit);
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: `limit must be an integer from 1 to ${MAX_LIMIT}` });
  }
  const labels = parseLabelFilters(query.label, ':');
  const cursor = single(query.cursor);
  return {
    name: single(query.name)?.toLowerCase() || undefined,
    labels,
    owner: single(query.owner) || undefined,
    q: single(query.q)?.toLowerCase() || undefined,
    limit,
    after: cursor ? decodeCursor(cursor) : undefined,
  };
}

export function hasFilters(query: ListQuery): boolean {
  return query.name !== undefined || query.labels.length > 0 || query.owner !== undefined || query.q !== undefined;
}

type Doc = Record<string, any>;

export function matchesListQuery(query: ListQuery, id: string, doc: Doc): boolean {
  const name = typeof doc.name === 'string' ? doc.name.toLowerCase() : '';
  if (query.name !== undefined && !name.includes(query.name)) return false;
  const labels: Record<string, string> = doc.labels ?? {};
  for (const { key, value } of query.labels) {
    if (!(key in labels) || (value !== undefined && labels[key] !== value)) return false;
  }
  if (query.owner !== undefined && !ownerMatches(query.owner, doc)) return false;
  if (query.q !== undefined) {
    const haystack = [id, name, ...hostsOf(doc)].map((s) => s.toLowerCase());
    if (!haystack.some((s) => s.includes(query.q!))) return false;
  }
  return true;
}

/** `admin`, `kubernetes` (any Kubernetes owner) or one owner kind such as `Ingress`. */
function ownerMatches(filter: string, doc: Doc): boolean {
  const f = filter.toLowerCase();
  if (f === 'admin') return !isManaged(doc);
  if (f === 'kubernetes') return isManaged(doc);
  return ((doc.owner as Owner | undefined)?.kind ?? 'admin').toLowerCase() === f;
}

/** The host names a document is reached by, whatever its kind calls them. */
function hostsOf(doc: Doc): string[] {
  const hosts = [doc.match?.hosts, doc.snis, doc.sni, doc.hosts].flat();
  return hosts.filter((h): h is string => typeof h === 'string');
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { after?: unknown };
    if (typeof after === 'string') return after;
  } catch {
    /* fall through */
  }
  throw new GatewayError('GW_ERR_BAD_REQUEST', { detail: 'cursor is not one this API returned' });
}
