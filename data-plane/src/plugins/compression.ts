import { brotliSpec, gzipSpec, type PluginConfigOf } from '@sluice/model';
import { getHeader, removeHeader, addHeader } from './flat-headers.js';
import { definePlugin, type ResponseHead } from './plugin.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof gzipSpec>;

interface Compiled {
  /** undefined = every type. */
  types: Set<string> | undefined;
  minLength: number;
  level: number;
  vary: boolean;
}

const NO_BODY = new Set([204, 304]);

function prepare(config: Config, defaultLevel: number): Compiled {
  const types = config.types ?? ['text/html'];
  return {
    types: types === '*' ? undefined : new Set(types.map((t) => t.toLowerCase())),
    minLength: config.minLength ?? 20,
    level: config.compLevel ?? defaultLevel,
    vary: config.vary ?? false,
  };
}

/** Whether the client's Accept-Encoding allows `token` (q=0 refuses it). */
export function accepts(acceptEncoding: string | undefined, token: string): boolean {
  if (acceptEncoding === undefined) return false;
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== token && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function decide(ctx: PluginContext, c: Compiled, head: ResponseHead, encoding: 'gzip' | 'br', token: string): void {
  if (ctx.responseCompression !== undefined && ctx.responseCompression.encoding === 'br') return; // brotli already chosen
  if (NO_BODY.has(head.status) || head.status < 200 || ctx.method === 'HEAD') return;
  if (!accepts(ctx.header('accept-encoding'), token)) return;
  const headers = head.headers;
  if (getHeader(headers, 'content-encoding') !== undefined) return;
  const length = getHeader(headers, 'content-length');
  if (length !== undefined && Number(length) < c.minLength) return;
  if (c.types !== undefined) {
    const type = (getHeader(headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!c.types.has(type)) return;
  }
  removeHeader(headers, 'content-length');
  removeHeader(headers, 'content-encoding');
  addHeader(headers, 'Content-Encoding', token);
  if (c.vary) addHeader(headers, 'Vary', 'Accept-Encoding');
  ctx.responseCompression = { encoding, level: c.level };
}

/** gzip: the proxy compresses the body as it streams when the response qualifies. */
export const gzipPlugin = definePlugin({
  spec: gzipSpec,
  prepare: (config: Config) => prepare(config, 1),
  headerFilter(ctx, c: Compiled, head) {
    decide(ctx, c, head, 'gzip', 'gzip');
  },
});

/** brotli: as gzip, and preferred when the client accepts both. */
export const brotliPlugin = definePlugin({
  spec: brotliSpec,
  prepare: (config: PluginConfigOf<typeof brotliSpec>) => prepare(config, 4),
  headerFilter(ctx, c: Compiled, head) {
    if (ctx.responseCompression?.encoding === 'gzip') {
      // gzip ran first (higher priority order puts brotli first, but be safe): undo it.
      removeHeader(head.headers, 'content-encoding');
      ctx.responseCompression = undefined;
    }
    decide(ctx, c, head, 'br', 'br');
  },
});
