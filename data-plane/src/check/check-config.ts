import fs from 'node:fs';
import { Etcd3 } from 'etcd3';
import { etcdClientOptions, normalizePrefix, type EtcdConnectionOptions } from '@sluice/model';
import { createUpstreamRuntime } from '../balancer/upstream-runtime.js';
import { createTableCompiler } from '../compile/compile-table.js';
import { createConfigStore, SNAPSHOT_FIELDS } from '../config/config-store.js';
import { loadPrefix } from '../config/load-prefix.js';
import { createPluginRegistry, loadCustomPlugins } from '../plugins/index.js';

export interface CheckConfigOptions extends EtcdConnectionOptions {
  /** Custom plugins the workers would load, so their configs are checked too. */
  pluginsDir?: string;
  /** Longest the etcd read may take before etcd counts as unreachable (default 5 s). */
  timeoutMs?: number;
}

export type CheckReport =
  | { ok: false; unreachable: true; error: string }
  | {
      ok: boolean;
      unreachable: false;
      revision: number;
      /** Per etcd collection: documents that compile, and documents rejected. */
      kinds: Record<string, { accepted: number; rejected: number }>;
      /** `<collection>/<id>` → why it is left out, sorted by key. */
      rejected: Array<{ key: string; reason: string }>;
    };

/** Where --check's messages go; quiet by default so the summary stays readable. */
const silent = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * `gateway data-plane --check`: reads every document under the prefix at one revision and
 * runs it through the workers' own steps (schema check on ingest, then the table compiler),
 * so a document the check accepts is one a worker serves. Opens no port and keeps nothing.
 */
export async function checkConfig(opts: CheckConfigOptions): Promise<CheckReport> {
  const prefix = normalizePrefix(opts.prefix);
  const timeoutMs = opts.timeoutMs ?? 5000;
  let loaded: Awaited<ReturnType<typeof loadPrefix>>;
  let client: Etcd3 | undefined;
  try {
    client = new Etcd3({
      ...etcdClientOptions(opts, (f) => fs.readFileSync(f)),
      dialTimeout: timeoutMs,
      defaultCallOptions: () => ({ deadline: Date.now() + timeoutMs }),
    });
    loaded = await loadPrefix(client, prefix);
  } catch (err) {
    return { ok: false, unreachable: true, error: (err as Error).message ?? String(err) };
  } finally {
    client?.close();
  }

  const store = createConfigStore(prefix, silent);
  store.replaceAll(loaded.kvs);
  const { snapshot, rejected: invalid } = store.snapshot(loaded.revision);
  const custom = opts.pluginsDir ? await loadCustomPlugins(opts.pluginsDir, silent) : [];
  // Health probes never start: the runtimes are closed right after the compile.
  const compiler = createTableCompiler((id, upstream) => createUpstreamRuntime(id, upstream), createPluginRegistry(custom, silent));
  let unresolved: Map<string, string>;
  try {
    unresolved = compiler.compile(snapshot).rejected;
  } finally {
    compiler.close();
  }

  const rejected = new Map<string, string>();
  for (const [key, reason] of [...invalid, ...unresolved]) rejected.set(key, reason);

  const kinds: Record<string, { accepted: number; rejected: number }> = {};
  for (const [collection, field] of Object.entries(SNAPSHOT_FIELDS)) kinds[collection] = { accepted: snapshot[field].size, rejected: 0 };
  for (const key of rejected.keys()) {
    const collection = key.slice(0, key.indexOf('/'));
    const counts = (kinds[collection] ??= { accepted: 0, rejected: 0 });
    counts.rejected++;
    // A document that passed its schema but refers to something missing was counted as accepted.
    if (!invalid.has(key) && counts.accepted > 0) counts.accepted--;
  }
  return {
    ok: rejected.size === 0,
    unreachable: false,
    revision: loaded.revision,
    kinds,
    rejected: [...rejected].sort(([a], [b]) => a.localeCompare(b)).map(([key, reason]) => ({ key, reason })),
  };
}

/** The human summary `--check` prints. */
export function formatCheckReport(report: CheckReport, where: string): string {
  if (report.unreachable) return `check: cannot read etcd at ${where}: ${report.error}`;
  const lines = [`check: ${where} at revision ${report.revision}`];
  for (const [kind, { accepted, rejected }] of Object.entries(report.kinds)) {
    lines.push(`  ${kind.padEnd(16)}${String(accepted).padStart(6)} ok${rejected ? `, ${rejected} rejected` : ''}`);
  }
  if (report.rejected.length) {
    lines.push('rejected:');
    for (const { key, reason } of report.rejected) lines.push(`  ${key}: ${reason}`);
  }
  lines.push(report.ok ? 'check: every document compiles' : `check: ${report.rejected.length} document(s) rejected`);
  return lines.join('\n');
}
