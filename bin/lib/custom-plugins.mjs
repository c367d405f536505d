import path from 'node:path';
import { loadCustomPlugins } from '@sluice/data-plane';
import { registerPluginSpec } from '@sluice/model';

/**
 * Makes the specs of `--plugins-dir` known to document validation in this process (the admin
 * API then accepts and lists them). The data-plane workers load the same folder themselves.
 */
export async function registerCustomPluginSpecs(dir) {
  if (!dir) return [];
  const log = { error: (obj, msg) => console.error(`gateway: ${msg}`, obj), warn: (obj, msg) => console.error(`gateway: ${msg}`, obj) };
  const plugins = await loadCustomPlugins(path.resolve(dir), log);
  for (const p of plugins) {
    try {
      registerPluginSpec(p.spec);
    } catch (err) {
      console.error(`gateway: custom plugin ${p.spec.name} skipped: ${err.message}`);
    }
  }
  return plugins.map((p) => p.spec.name);
}
