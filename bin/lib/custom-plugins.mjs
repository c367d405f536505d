import path from 'node:path';
import { createLogger, loadCustomPlugins } from '@sluice/data-plane';
import { registerPluginSpec } from '@sluice/model';

/**
 * Makes the specs of `--plugins-dir` known to document validation in this process (the admin
 * API then accepts and lists them). The data-plane workers load the same folder themselves.
 */
export async function registerCustomPluginSpecs(dir) {
  if (!dir) return [];
  // The same pino JSON as the workers' own loader writes, at the --log-level of this process.
  const log = createLogger('custom-plugins');
  const plugins = await loadCustomPlugins(path.resolve(dir), log);
  for (const p of plugins) {
    try {
      registerPluginSpec(p.spec);
    } catch (err) {
      log.error({ plugin: p.spec.name, err: err.message }, 'custom plugin skipped');
    }
  }
  return plugins.map((p) => p.spec.name);
}
