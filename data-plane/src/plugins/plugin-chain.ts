import type { Consumer } from '@sluice/model';
import type { ConsumerIndex } from './consumer-index.js';
import { toFlatHeaders } from './flat-headers.js';
import { applyHeaderOps } from './header-ops.js';
import type { PhaseResult, PluginErrorReporter, ResponseHead, ShortCircuit } from './plugin.js';
import type { PluginContext, RequestChain } from './plugin-context.js';
import { byPriority, type PreparedPlugin } from './prepared-plugin.js';

type RequestOutcome = ShortCircuit | undefined;
/** A phase hook bound to its compiled config at compile time, so running it allocates nothing. */
interface RequestStep {
  name: string;
  run(ctx: PluginContext): PhaseResult | Promise<PhaseResult>;
}
interface ResponseStep {
  name: string;
  run(ctx: PluginContext, head: ResponseHead): void;
}
interface LogStep {
  name: string;
  run(ctx: PluginContext, status: number, durationMs: number): void;
}

const enum Stage {
  Rewrite = 0,
  ConsumerRewrite = 1,
  Access = 2,
  BeforeProxy = 3,
  Done = 4,
}

const STAGE_NAMES = ['rewrite', 'rewrite', 'access', 'beforeProxy'];

const PLUGIN_FAILED: ShortCircuit = Object.freeze({
  status: 500,
  headers: Object.freeze({ 'content-type': 'application/json' }),
  body: '{"message":"a plugin failed; see the gateway log"}\n',
});

/**
 * The compiled plugins of one route: per-phase arrays in priority order, empty phases
 * skipped. Immutable; a request's state lives in its PluginContext. See README.md for the
 * contract with the proxy.
 */
export class PluginChain implements RequestChain {
  readonly rewrite: readonly RequestStep[];
  /** Rewrite hooks of plugins that came from the consumer: they run after authentication. */
  readonly consumerRewrite: readonly RequestStep[];
  readonly access: readonly RequestStep[];
  readonly beforeProxy: readonly RequestStep[];
  readonly headerFilter: readonly ResponseStep[];
  readonly log: readonly LogStep[];
  private readonly consumerChains = new WeakMap<Consumer, PluginChain>();

  constructor(
    /** Sorted by priority, higher first. */
    readonly plugins: readonly PreparedPlugin[],
    private readonly consumers: ConsumerIndex,
    private readonly report: PluginErrorReporter,
  ) {
    this.rewrite = requestSteps(plugins, 'rewrite', 'route');
    this.consumerRewrite = requestSteps(plugins, 'rewrite', 'consumer');
    this.access = requestSteps(plugins, 'access');
    this.beforeProxy = requestSteps(plugins, 'beforeProxy');
    this.headerFilter = plugins.flatMap((p) => {
      const hook = p.plugin.headerFilter;
      return hook ? [{ name: p.name, run: (ctx: PluginContext, head: ResponseHead) => hook.call(p.plugin, ctx, p.compiled, head) }] : [];
    });
    this.log = plugins.flatMap((p) => {
      const hook = p.plugin.log;
      return hook ? [{ name: p.name, run: (ctx: PluginContext, s: number, d: number) => hook.call(p.plugin, ctx, p.compiled, s, d) }] : [];
    });
  }

  /**
   * rewrite → consumer merge → consumer rewrite → access → beforeProxy. Returns undefined to
   * proxy, or the response to send. Synchronous (no Promise at all) unless a plugin returned one.
   */
  runRequest(ctx: PluginContext): RequestOutcome | Promise<RequestOutcome> {
    ctx.chain = this;
    return this.resume(ctx, Stage.Rewrite, 0);
  }

  /**
   * Applies the response-header changes: the context's response header ops, then every
   * headerFilter hook (response-rewrite last, so it has the final word). Edits `headers` in place.
   */
  runResponseHeaders(ctx: PluginContext, status: number, headers: string[]): ResponseHead {
    ctx.upstreamStatus = status;
    const head: ResponseHead = { status, headers, body: undefined };
    this.filterHead(ctx, head);
    return head;
  }

  /** A short-circuit answer as the response to send, after the same header filters. */
  respond(ctx: PluginContext, answer: ShortCircuit): ResponseHead {
    ctx.answeredByPlugin = true;
    const head: ResponseHead = { status: answer.status, headers: toFlatHeaders(answer.headers), body: answer.body };
    this.filterHead(ctx, head);
    return head;
  }

  runLog(ctx: PluginContext, status: number, durationMs: number): void {
    const steps = chainOf(ctx, this).log;
    for (let i = 0; i < steps.length; i++) {
      try {
        steps[i].run(ctx, status, durationMs);
      } catch (err) {
        this.report(err, steps[i].name, 'log', ctx);
      }
    }
  }

  /** This chain merged with a consumer's own plugins (consumer wins per name, as in APISIX), cached. */
  withConsumer(consumer: Consumer): PluginChain {
    const own = this.consumers.pluginsOf(consumer);
    if (own.length === 0) return this;
    let merged = this.consumerChains.get(consumer);
    if (!merged) {
      const names = new Set(own.map((p) => p.name));
      const plugins = [...this.plugins.filter((p) => !names.has(p.name)), ...own].sort(byPriority);
      merged = new PluginChain(plugins, this.consumers, this.report);
      this.consumerChains.set(consumer, merged);
    }
    return merged;
  }

  private filterHead(ctx: PluginContext, head: ResponseHead): void {
    if (ctx.responseHeaderOps) applyHeaderOps(head.headers, ctx.responseHeaderOps);
    const steps = chainOf(ctx, this).headerFilter;
    for (let i = 0; i < steps.length; i++) {
      try {
        steps[i].run(ctx, head);
      } catch (err) {
        this.report(err, steps[i].name, 'headerFilter', ctx);
      }
    }
  }

  /** The phase loop; it goes async only from the step that returned a Promise. */
  private resume(ctx: PluginContext, stage: Stage, index: number): RequestOutcome | Promise<RequestOutcome> {
    while (stage < Stage.Done) {
      const steps = this.stepsOf(ctx, stage);
      while (index < steps.length) {
        const step = steps[index++];
        let result: PhaseResult | Promise<PhaseResult>;
        try {
          result = step.run(ctx);
        } catch (err) {
          this.report(err, step.name, STAGE_NAMES[stage], ctx);
          return PLUGIN_FAILED;
        }
        if (result === undefined) continue;
        if (isPromise(result)) {
          const nextStage = stage;
          const nextIndex = index;
          return result.then(
            (answer) => (answer ? answer : this.resume(ctx, nextStage, nextIndex)),
            (err) => {
              this.report(err, step.name, STAGE_NAMES[nextStage], ctx);
              return PLUGIN_FAILED;
            },
          );
        }
        return result;
      }
      if (stage === Stage.Rewrite) this.afterAuthentication(ctx);
      stage++;
      index = 0;
    }
    return undefined;
  }

  private stepsOf(ctx: PluginContext, stage: Stage): readonly RequestStep[] {
    if (stage === Stage.Rewrite) return this.rewrite;
    const chain = chainOf(ctx, this);
    return stage === Stage.ConsumerRewrite ? chain.consumerRewrite : stage === Stage.Access ? chain.access : chain.beforeProxy;
  }

  /** The consumer is known after rewrite (auth plugins run there, as in APISIX). */
  private afterAuthentication(ctx: PluginContext): void {
    const consumer = ctx.consumer;
    if (!consumer) return;
    ctx.chain = this.withConsumer(consumer);
    // Set, not passed through: a client cannot claim to be someone by sending the header.
    ctx.setUpstreamHeader('X-Consumer-Username', consumer.username);
  }
}

function requestSteps(plugins: readonly PreparedPlugin[], phase: 'rewrite' | 'access' | 'beforeProxy', origin?: PreparedPlugin['origin']): RequestStep[] {
  const steps: RequestStep[] = [];
  for (const p of plugins) {
    const hook = p.plugin[phase];
    if (!hook || (origin && p.origin !== origin)) continue;
    steps.push({ name: p.name, run: (ctx) => hook.call(p.plugin, ctx, p.compiled) });
  }
  return steps;
}

/** The chain a request runs with: this one, or (set after authentication) this one merged with the consumer's. */
function chainOf(ctx: PluginContext, fallback: PluginChain): PluginChain {
  return (ctx.chain as PluginChain | undefined) ?? fallback;
}

function isPromise(value: unknown): value is Promise<PhaseResult> {
  return typeof (value as { then?: unknown }).then === 'function';
}
