import { fileLoggerSpec, type PluginConfigOf } from '@sluice/model';
import { logEntryBuilder } from './log-entry.js';
import { logFileSink } from './log-file-sink.js';
import { definePlugin } from './plugin.js';

type Config = PluginConfigOf<typeof fileLoggerSpec>;

/** One JSON line per request, to stdout or a file, through the worker's one stream per destination. */
export const fileLoggerPlugin = definePlugin({
  spec: fileLoggerSpec,
  prepare: (config: Config) => ({ sink: logFileSink(config.path ?? '-'), entry: logEntryBuilder(config.includeFields) }),
  log(ctx, c, status, durationMs) {
    c.sink.write(JSON.stringify(c.entry(ctx, status, durationMs)) + '\n');
  },
});
