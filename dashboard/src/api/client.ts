import {
  kindNameByCollection,
  type Consumer,
  type DataplaneStatus,
  type DocumentApplyState,
  type GlobalRule,
  type KindName,
  type PluginConfig,
  type Route,
  type Service,
  type Ssl,
  type StreamRoute,
  type Upstream,
} from '@sluice/model/browser';
import type { WhoAmI } from './admin-types';
import { sessionKey } from './session-key';

/** Document type of each collection in the model's kind registry. */
export interface DocumentTypes {
  routes: Route;
  upstreams: Upstream;
  ssls: Ssl;
  'stream-routes': StreamRoute;
  consumers: Consumer;
  'plugin-configs': PluginConfig;
  'global-rules': GlobalRule;
  services: Service;
  dataplanes: DataplaneStatus;
}
export type Collection = keyof DocumentTypes;

export const API_ROOT = '/api/v1';

/** One `{path, message}` the admin API reported; path is a JSON pointer into the document. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A failed admin call, decoded from the `{code, message, details}` body of GW_ERR_* errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** The reply's headers (a 422 GW_ERR_NOT_APPLIED write still carries its X-Mod-Revision). */
    readonly headers?: Headers,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Messages keyed by JSON pointer, for showing each next to its field. */
  get fieldErrors(): Record<string, string> {
    const byPath: Record<string, string> = {};
    for (const issue of this.issues) byPath[issue.path] = byPath[issue.path] ? `${byPath[issue.path]}; ${issue.message}` : issue.message;
    return byPath;
  }
}

/** A document with the mod revision it was read at (the ETag), for If-Match on save. */
export interface Versioned<T> {
  doc: T;
  revision?: string;
  /** From `X-Sluice-Applied` when the write asked to wait for the data planes. */
  applied?: boolean;
}

/**
 * Write options: `waitApplied` makes the API answer once every live data plane serves the
 * write (or one rejects it, or the timeout passed); `createOnly` sends `If-None-Match: *`, so
 * a "New …" form never replaces a document that exists.
 */
export interface WriteOptions {
  waitApplied?: boolean;
  createOnly?: boolean;
}

export interface ListQuery {
  q?: string;
  owner?: string;
  limit?: number;
  cursor?: string;
}
export interface ListPage<T> {
  items: T[];
  total?: number;
  nextCursor?: string;
  /** Per listed id: whether the live data planes serve it (applied, rejected with a reason, pending). */
  applied?: Record<string, { state: DocumentApplyState; reason?: string }>;
}
export interface HistoryEntry<T> {
  modRevision: number;
  updatedAt?: string;
  document: T;
}

export interface Resource<T> {
  spec: KindName;
  list(query?: ListQuery): Promise<ListPage<T>>;
  get(id: string): Promise<Versioned<T>>;
  /** Create or replace; with `revision` the write fails with GW_ERR_CONFLICT if someone saved in between. */
  put(id: string, doc: T, revision?: string, opts?: WriteOptions): Promise<Versioned<T>>;
  /** Create with a generated id. */
  create(doc: Partial<T>, opts?: WriteOptions): Promise<Versioned<T>>;
  patch(id: string, changes: Partial<T>, revision?: string, opts?: WriteOptions): Promise<Versioned<T>>;
  remove(id: string, revision?: string): Promise<void>;
  history(id: string): Promise<HistoryEntry<T>[]>;
  rollback(id: string, modRevision: number, opts?: WriteOptions): Promise<Versioned<T>>;
}

export interface CallOptions {
  body?: unknown;
  /** A body sent as it is (YAML, an OpenAPI document) instead of JSON. */
  text?: string;
  ifMatch?: string;
  /** `*`: create only. */
  ifNoneMatch?: string;
  contentType?: string;
  /** The key to try instead of the stored one (login). */
  key?: string;
}

/** One admin API call; throws ApiError on any non-2xx reply. */
export async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<{ body: T; etag?: string; headers: Headers }> {
  const res = await send(method, path, opts);
  const text = await res.text();
  const body = text ? safeParse(text) : undefined;
  if (!res.ok) throw decodeError(res.status, body, res.headers);
  return { body: body as T, etag: res.headers.get('etag') ?? undefined, headers: res.headers };
}

/** One admin API call whose reply is text (YAML export); throws ApiError on any non-2xx reply. */
export async function callText(method: string, path: string, opts: CallOptions = {}): Promise<string> {
  const res = await send(method, path, opts);
  const text = await res.text();
  if (!res.ok) throw decodeError(res.status, text ? safeParse(text) : undefined);
  return text;
}

/** The fetch behind every call: the key goes in a header only, never in the URL. */
export async function send(method: string, path: string, opts: CallOptions = {}, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = opts.key ?? sessionKey.get();
  if (key) headers['x-api-key'] = key;
  if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
  if (opts.ifNoneMatch) headers['if-none-match'] = opts.ifNoneMatch;
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  if (opts.text !== undefined) headers['content-type'] = opts.contentType ?? 'application/yaml';
  try {
    return await fetch(`${API_ROOT}${path}`, {
      method,
      headers,
      body: opts.text ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', `the admin API is unreachable (${(err as Error).message})`);
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

function decodeError(status: number, body: unknown, headers?: Headers): ApiError {
  const b = (body ?? {}) as { code?: string; message?: string; details?: unknown };
  const issues = Array.isArray(b.details) ? b.details.filter((d): d is FieldIssue => typeof d?.path === 'string' && typeof d?.message === 'string') : [];
  return new ApiError(status, b.code ?? `HTTP_${status}`, b.message ?? `request failed with status ${status}`, issues, headers);
}

const seg = encodeURIComponent;

/** A typed client for one collection of the kind registry. */
export function resource<C extends Collection>(collection: C): Resource<DocumentTypes[C]> {
  type T = DocumentTypes[C];
  const spec = kindNameByCollection(collection);
  if (!spec) throw new Error(`unknown collection ${collection}`);
  const base = `/${collection}`;
  const versioned = ({ body, etag, headers }: { body: T; etag?: string; headers: Headers }): Versioned<T> => {
    const applied = headers.get('x-sluice-applied');
    return { doc: body, revision: etag, ...(applied === null ? {} : { applied: applied === 'true' }) };
  };
  const wait = (opts?: WriteOptions) => (opts?.waitApplied ? '?wait=applied&timeout=5s' : '');
  return {
    spec,
    async list(query = {}) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
      const qs = params.toString();
      return (await call<ListPage<T>>('GET', qs ? `${base}?${qs}` : base)).body;
    },
    get: async (id) => versioned(await call<T>('GET', `${base}/${seg(id)}`)),
    put: async (id, doc, revision, opts) =>
      versioned(await call<T>('PUT', `${base}/${seg(id)}${wait(opts)}`, { body: doc, ifMatch: revision, ifNoneMatch: opts?.createOnly ? '*' : undefined })),
    create: async (doc, opts) => versioned(await call<T>('POST', `${base}${wait(opts)}`, { body: doc })),
    patch: async (id, changes, revision, opts) =>
      versioned(
        await call<T>('PATCH', `${base}/${seg(id)}${wait(opts)}`, {
          body: changes,
          ifMatch: revision,
          contentType: 'application/merge-patch+json',
        }),
      ),
    async remove(id, revision) {
      await call('DELETE', `${base}/${seg(id)}`, { ifMatch: revision });
    },
    history: async (id) => (await call<HistoryEntry<T>[]>('GET', `${base}/${seg(id)}/history`)).body,
    rollback: async (id, modRevision, opts) => versioned(await call<T>('POST', `${base}/${seg(id)}/rollback${wait(opts)}`, { body: { modRevision } })),
  };
}

/**
 * What a key may do (`GET /whoami`), which also checks it without storing it. A control
 * plane without roles has no /whoami: a key it accepts there is its admin key.
 */
export async function whoAmI(key?: string): Promise<WhoAmI> {
  try {
    return (await call<WhoAmI>('GET', '/whoami', { key })).body;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    await call('GET', '/routes?limit=1', { key });
    return { name: 'admin', role: 'admin' };
  }
}
