import { httpLoggerSpec, type PluginConfigOf } from '@sluice/model';
import { HttpLogQueue } from './http-log-queue.js';
import { logEntryBuilder } from './log-entry.js';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof httpLoggerSpec>;

/**
 * Batches log entries to an HTTP collector. The queue lives in the worker's plugin state keyed
 * by the config, so a recompile keeps it (and its pending entries) and routes with the same
 * config share it.
 */
export const httpLoggerPlugin = definePlugin({
  spec: httpLoggerSpec,
  prepare: (config: Config, env) => {
    const queue = env.state.getOrCreate(
      `http-logger|${JSON.stringify(config)}`,
      () =>
        new HttpLogQueue({
          uri: config.uri,
          authHeader: config.authHeader,
          timeoutMs: (config.timeout ?? 3) * 1000,
          batchMaxSize: Math.min(config.batchMaxSize ?? 1000, config.maxQueue ?? 10_000),
          inactiveTimeoutMs: (config.inactiveTimeout ?? 5) * 1000,
          bufferDurationMs: (config.bufferDuration ?? 60) * 1000,
          maxRetryCount: config.maxRetryCount ?? 0,
          retryDelayMs: (config.retryDelay ?? 1) * 1000,
          maxQueue: config.maxQueue ?? 10_000,
        }),
    );
    return { queue, entry: logEntryBuilder(config.includeFields) };
  },
  log(ctx, c, status, durationMs) {
    c.queue.push(c.entry(ctx, status, durationMs));
  },
});
