import { ipRestrictionSpec, type PluginConfigOf } from '@sluice/model';
import { compileIpList, ipInList, type IpList } from './ip-list.js';
import { jsonAnswer } from './json-answer.js';
import { definePlugin, type ShortCircuit } from './plugin.js';

type Config = PluginConfigOf<typeof ipRestrictionSpec>;

interface Compiled {
  allow: boolean;
  list: IpList;
  rejected: ShortCircuit;
}

export const ipRestrictionPlugin = definePlugin({
  spec: ipRestrictionSpec,
  prepare(config: Config): Compiled {
    return {
      allow: config.whitelist !== undefined,
      list: compileIpList(config.whitelist ?? config.blacklist ?? []),
      rejected: jsonAnswer(config.rejectedCode ?? 403, config.message ?? 'Your IP address is not allowed'),
    };
  },
  access(ctx, c): ShortCircuit | undefined {
    const listed = ipInList(ctx.clientAddress, c.list);
    return listed === c.allow ? undefined : c.rejected;
  },
});
