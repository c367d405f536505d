import pino from 'pino';

/** JSON logs to stdout; `LOG_LEVEL` or GATEWAY_LOG_LEVEL sets the level (default info). */
export function createLogger(name: string, bindings: Record<string, unknown> = {}) {
  return pino({
    name,
    level: process.env.GATEWAY_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid, ...bindings },
  });
}

export type Logger = ReturnType<typeof createLogger>;
