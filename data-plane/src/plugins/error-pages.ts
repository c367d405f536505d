import { randomUUID } from 'node:crypto';
import { errorPagesSpec, type PluginConfigOf } from '@sluice/model';
import { headerOp, type HeaderOp } from './header-ops.js';
import { definePlugin } from './plugin.js';
import type { ErrorPagesTarget } from './proxy-directives.js';

export type { ErrorPagesTarget } from './proxy-directives.js';
import type { PluginContext } from './plugin-context.js';

type Config = PluginConfigOf<typeof errorPagesSpec>;

/**
 * error-pages (ingress-nginx custom-http-errors): records the target on the context; the
 * proxy (proxy-exchange.ts) sees the upstream status and, when listed, asks the error-page
 * upstream instead, like nginx's `error_page <code> = @custom` with proxy_intercept_errors.
 */
export const errorPagesPlugin = definePlugin({
  spec: errorPagesSpec,
  prepare(config: Config): ErrorPagesTarget {
    const statuses = new Uint8Array(600);
    for (const status of config.statuses) statuses[status] = 1;
    return Object.freeze({
      upstreamId: config.upstreamId,
      statuses,
      headers: Object.entries(config.headers ?? {}).map(([name, value]) => headerOp('set', name, value)),
    });
  },
  access(ctx, target): undefined {
    ctx.errorPages = target;
    return undefined;
  },
});

/** The headers ingress-nginx sends to its default backend for a custom error. */
export function errorPageHeaderOps(target: ErrorPagesTarget, status: number, ctx: PluginContext): HeaderOp[] {
  const requestId = ctx.header('x-request-id') ?? (ctx.vars.requestId as string | undefined) ?? randomUUID().replaceAll('-', '');
  return [
    headerOp('set', 'X-Code', String(status)),
    headerOp('set', 'X-Format', ctx.header('accept') ?? ''),
    headerOp('set', 'X-Original-URI', ctx.rawQuery.length ? `${ctx.path}?${ctx.rawQuery}` : ctx.path),
    headerOp('set', 'X-Request-ID', requestId),
    ...target.headers,
  ];
}
