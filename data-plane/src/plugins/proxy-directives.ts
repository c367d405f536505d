import type { HeaderOp } from './header-ops.js';

/*
 * What plugins ask of the proxy beyond header and path edits, recorded on the request's
 * PluginContext and carried out by the proxy exchange. Plain data, so the context, the plugins
 * that set them and the proxy that reads them depend on this and not on each other.
 */

/** Where and how to mirror one request; compiled once per route and shared by its requests. */
export interface RequestMirrorTarget {
  upstreamId: string;
  /** Replaces the path sent to the mirror (the query is kept); undefined = the upstream request's own. */
  path: string | undefined;
  timeoutMs: number;
  maxBodySize: number;
}

/** What the proxy needs to swap an upstream answer for the error page; compiled once per route. */
export interface ErrorPagesTarget {
  upstreamId: string;
  /** Indexed by status: 1 when that upstream status is replaced. */
  statuses: Uint8Array;
  /** The fixed headers of the config, as ops. */
  headers: readonly HeaderOp[];
}
