import { clientControlSpec } from '@sluice/model';
import { definePlugin } from './plugin.js';

/**
 * client-control has no request phase: the request pipeline enforces `maxBodySize` itself
 * (compile-table resolves it per route, from the route, its plugin config or a global rule), so
 * a Content-Length above it gets 413 before a byte is read and a streamed body — chunked or
 * HTTP/2 — is cut as it passes the limit, whether or not the route has other plugins.
 */
export const clientControlPlugin = definePlugin({
  spec: clientControlSpec,
});
