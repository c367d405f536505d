import { responseRewriteSpec, type PluginConfigOf } from '@sluice/model';
import { removeHeader } from './flat-headers.js';
import { applyHeaderOps, compileHeaderOps, type HeaderOp } from './header-ops.js';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof responseRewriteSpec>;

interface Compiled {
  statusCode: number | undefined;
  body: string | Buffer | undefined;
  headerOps: HeaderOp[];
}

/** Headers that describe the upstream's body and would lie about a replaced one. */
const BODY_HEADERS = ['content-length', 'transfer-encoding', 'content-encoding', 'etag', 'content-md5'];

export const responseRewritePlugin = definePlugin({
  spec: responseRewriteSpec,
  prepare: (config: Config): Compiled => ({
    statusCode: config.statusCode,
    body: config.body === undefined ? undefined : config.bodyBase64 ? Buffer.from(config.body, 'base64') : config.body,
    headerOps: compileHeaderOps(config.headers),
  }),
  headerFilter(_ctx, c, head) {
    if (c.statusCode !== undefined) head.status = c.statusCode;
    if (c.body !== undefined) {
      for (const name of BODY_HEADERS) removeHeader(head.headers, name);
      head.body = c.body;
    }
    applyHeaderOps(head.headers, c.headerOps);
  },
});
