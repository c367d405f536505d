/** The little of a logger the plugin runtime needs (pino fits). */
export interface PluginLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
