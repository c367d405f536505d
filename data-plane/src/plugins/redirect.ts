import { redirectSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin, type ShortCircuit } from './plugin.js';

type Config = PluginConfigOf<typeof redirectSpec>;

interface Compiled {
  code: number;
  uri: string | undefined;
  regex: RegExp | undefined;
  replacement: string;
  httpToHttps: boolean;
  appendQueryString: boolean;
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
  }),
  rewrite(ctx, c): ShortCircuit | undefined {
    let location: string;
    if (c.httpToHttps) {
      if (ctx.scheme === 'https') return undefined;
      location = `https://${hostWithoutPort(ctx.host)}${ctx.path}${ctx.rawQuery ? `?${ctx.rawQuery}` : ''}`;
    } else if (c.regex) {
      if (!c.regex.test(ctx.path)) return undefined;
      location = ctx.path.replace(c.regex, c.replacement);
    } else {
      location = c.uri!;
    }
    if (c.appendQueryString && ctx.rawQuery) location += (location.includes('?') ? '&' : '?') + ctx.rawQuery;
    return { status: c.code, headers: { location }, body: '' };
  },
});

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
