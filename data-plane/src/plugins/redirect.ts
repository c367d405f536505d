import { redirectSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin, type ShortCircuit } from './plugin.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof redirectSpec>;

/** What replaces the origin of the Location; undefined fields keep the request's own. */
interface Origin {
  scheme: 'http' | 'https' | undefined;
  host: string | undefined;
  port: number | undefined;
}

interface Compiled {
  code: number;
  uri: string | undefined;
  regex: RegExp | undefined;
  replacement: string;
  httpToHttps: boolean;
  appendQueryString: boolean;
  /** Set when the Location is absolute (scheme, host or port given). */
  origin: Origin | undefined;
}

export const redirectPlugin = definePlugin({
  spec: redirectSpec,
  prepare: (config: Config): Compiled => ({
    code: config.code ?? (config.httpToHttps ? 301 : 302),
    uri: config.uri,
    regex: config.regexUri ? new RegExp(config.regexUri[0]) : undefined,
    replacement: config.regexUri?.[1] ?? '',
    httpToHttps: config.httpToHttps ?? false,
    appendQueryString: config.appendQueryString ?? false,
    origin:
      config.scheme !== undefined || config.host !== undefined || config.port !== undefined
        ? { scheme: config.scheme, host: config.host, port: config.port }
        : undefined,
  }),
  rewrite(ctx, c): ShortCircuit | undefined {
    let location: string;
    if (c.httpToHttps) {
      if (ctx.scheme === 'https') return undefined;
      location = `https://${hostWithoutPort(ctx.host)}${ctx.path}${ctx.rawQuery ? `?${ctx.rawQuery}` : ''}`;
    } else {
      let path: string;
      if (c.regex) {
        if (!c.regex.test(ctx.path)) return undefined;
        path = ctx.path.replace(c.regex, c.replacement);
      } else path = c.uri ?? ctx.path;
      location = c.origin === undefined ? path : originOf(ctx, c.origin) + path;
    }
    if (c.appendQueryString && ctx.rawQuery) location += (location.includes('?') ? '&' : '?') + ctx.rawQuery;
    return { status: c.code, headers: { location }, body: '' };
  },
});

/**
 * `scheme://host[:port]` from the configured parts and the request's own. Without a port the
 * Host's port is kept unless the scheme changes (a redirect to https must not keep :80); a
 * port equal to the scheme's default is left out. No host known at all: a relative Location.
 */
function originOf(ctx: PluginContext, origin: Origin): string {
  const scheme = origin.scheme ?? ctx.scheme;
  const host = origin.host ?? hostWithoutPort(ctx.host);
  if (host === '') return '';
  const port = origin.port ?? (scheme === ctx.scheme && origin.host === undefined ? portOf(ctx.host) : undefined);
  const defaultPort = scheme === 'https' ? 443 : 80;
  return port === undefined || port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function portOf(host: string): number | undefined {
  const colon = host.lastIndexOf(':');
  if (colon === -1 || host.indexOf(']', colon) !== -1) return undefined;
  const port = Number(host.slice(colon + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}
