import { randomUUID } from 'node:crypto';
import { requestIdSpec, type PluginConfigOf } from '@sluice/model';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof requestIdSpec>;

/** Keeps the client's id when it sent one (as APISIX does), else makes a UUID. */
export const requestIdPlugin = definePlugin({
  spec: requestIdSpec,
  prepare: (config: Config) => {
    const headerName = config.headerName ?? 'X-Request-Id';
    return { headerName, lowerName: headerName.toLowerCase(), includeInResponse: config.includeInResponse ?? true };
  },
  rewrite(ctx, c) {
    let id = ctx.header(c.lowerName);
    if (!id) {
      id = randomUUID();
      ctx.setUpstreamHeader(c.headerName, id);
    }
    ctx.vars.requestId = id;
    if (c.includeInResponse) ctx.setResponseHeader(c.headerName, id);
  },
});
