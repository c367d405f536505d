import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileSchema, type PluginAttachment, type PluginSpec } from '@sluice/model';
import type { Plugin } from './plugin.js';
import type { PluginLogger } from './plugin-logger.js';

const PHASES = ['prepare', 'credentialKey', 'rewrite', 'access', 'beforeProxy', 'headerFilter', 'log'] as const;
const ATTACHMENTS: readonly PluginAttachment[] = ['route', 'consumer', 'plugin-config', 'global-rule', 'stream-route'];

/**
 * Imports every `*.js` / `*.mjs` file of a directory (`--plugins-dir`), each exporting
 * `{ spec, ...phases }` (named exports or a default object). A file that fails to load or
 * has the wrong shape is logged and skipped: a broken plugin never stops the worker.
 */
export async function loadCustomPlugins(dir: string, log: PluginLogger): Promise<Plugin[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.js') || n.endsWith('.mjs')).sort();
  } catch (err) {
    log.error({ dir, err }, 'plugins directory cannot be read; no custom plugins loaded');
    return [];
  }
  const plugins: Plugin[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      plugins.push(toPlugin((mod.default ?? mod) as Record<string, unknown>));
    } catch (err) {
      log.error({ file, err: (err as Error).message }, 'custom plugin skipped');
    }
  }
  return plugins;
}

/** Checks a module's export and fills in the optional spec fields. Throws a readable reason. */
export function toPlugin(exported: Record<string, unknown>): Plugin {
  const raw = exported.spec as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object') throw new Error('exports no spec object');
  if (typeof raw.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(raw.name)) throw new Error('spec.name must be a kebab-case string');
  if (typeof raw.priority !== 'number' || !Number.isFinite(raw.priority)) throw new Error('spec.priority must be a number');
  if (!raw.schema || typeof raw.schema !== 'object') throw new Error('spec.schema must be a JSON Schema object');
  const attachTo = (raw.attachTo ?? ['route', 'plugin-config', 'global-rule']) as PluginAttachment[];
  if (!Array.isArray(attachTo) || attachTo.some((a) => !ATTACHMENTS.includes(a))) throw new Error(`spec.attachTo must list some of ${ATTACHMENTS.join(', ')}`);
  try {
    compileSchema(raw.schema as never);
  } catch (err) {
    throw new Error(`spec.schema does not compile: ${(err as Error).message}`);
  }
  const spec: PluginSpec = {
    name: raw.name,
    priority: raw.priority,
    version: typeof raw.version === 'string' ? raw.version : '0.0.0',
    description: typeof raw.description === 'string' ? raw.description : '',
    attachTo,
    schema: raw.schema as never,
    example: raw.example ?? {},
    notes: Array.isArray(raw.notes) ? (raw.notes as string[]) : undefined,
  };
  const plugin: Plugin = { spec };
  let phases = 0;
  for (const phase of PHASES) {
    const fn = exported[phase];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') throw new Error(`${phase} must be a function`);
    (plugin as unknown as Record<string, unknown>)[phase] = fn;
    if (phase !== 'prepare' && phase !== 'credentialKey') phases++;
  }
  if (phases === 0) throw new Error('exports no phase function (rewrite, access, beforeProxy, headerFilter, log)');
  return plugin;
}
