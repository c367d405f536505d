import { clientControlSpec, type PluginConfigOf } from '@sluice/model';
import { jsonAnswer } from './json-answer.js';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof clientControlSpec>;

const TOO_LARGE = jsonAnswer(413, 'Request Entity Too Large');

/**
 * Refuses bodies larger than maxBodySize by their Content-Length. A chunked body has no
 * length up front: the proxy must count it while streaming (`ctx.vars.maxBodySize` says the limit).
 */
export const clientControlPlugin = definePlugin({
  spec: clientControlSpec,
  prepare: (config: Config) => ({ maxBodySize: config.maxBodySize }),
  rewrite(ctx, c) {
    if (c.maxBodySize === undefined) return;
    ctx.vars.maxBodySize = c.maxBodySize;
    const length = ctx.headers['content-length'];
    if (length !== undefined && Number(length) > c.maxBodySize) return TOO_LARGE;
  },
});
