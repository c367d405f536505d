import { setTimeout as delay } from 'node:timers/promises';
import { limitConnSpec, type PluginConfigOf } from '@sluice/model';
import { ConnCounter } from './conn-counter.js';
import { jsonAnswer } from './json-answer.js';
import { definePlugin, type PrepareEnv, type ShortCircuit } from './plugin.js';
import { compileKey, type KeyResolver } from './request-vars.js';

type Config = PluginConfigOf<typeof limitConnSpec>;

interface Compiled {
  conn: number;
  max: number;
  unitDelayMs: number;
  counter: ConnCounter;
  key: KeyResolver;
  rejected: ShortCircuit;
}

/** What access counted, so log releases exactly that (and nothing when access never ran). */
interface Entered {
  counter: ConnCounter;
  key: string;
}

const ENTERED_VAR = 'limitConn.entered';

/**
 * limit-conn as in APISIX (nginx limit_conn via lua-resty-limit-traffic): a request counts
 * from access until log; over `conn` it waits a multiple of defaultConnDelay, over
 * `conn + burst` it is refused.
 */
export const limitConnPlugin = definePlugin({
  spec: limitConnSpec,
  prepare(config: Config, env: PrepareEnv): Compiled {
    // Counts must outlive recompiles: requests in flight release into the counter they entered.
    const counter = env.state.getOrCreate(`limit-conn|${env.ownerId}|${JSON.stringify(config)}`, () => new ConnCounter());
    const code = config.rejectedCode ?? 503;
    return {
      conn: config.conn,
      max: config.conn + config.burst,
      unitDelayMs: config.defaultConnDelay * 1000,
      counter,
      key: compileKey(config.keyType ?? 'var', config.key ?? 'remote_addr'),
      rejected: config.rejectedMsg === undefined ? Object.freeze({ status: code }) : jsonAnswer(code, config.rejectedMsg),
    };
  },
  access(ctx, c): ShortCircuit | undefined | Promise<undefined> {
    const key = c.key(ctx) || ctx.clientAddress;
    if (c.counter.inFlight(key) >= c.max) return c.rejected;
    const n = c.counter.enter(key);
    ctx.vars[ENTERED_VAR] = { counter: c.counter, key } satisfies Entered;
    if (n <= c.conn) return undefined;
    return delay(Math.floor((n - 1) / c.conn) * c.unitDelayMs, undefined);
  },
  log(ctx) {
    const entered = ctx.vars[ENTERED_VAR] as Entered | undefined;
    if (entered === undefined) return;
    ctx.vars[ENTERED_VAR] = undefined;
    entered.counter.leave(entered.key);
  },
});
