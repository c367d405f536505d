import path from 'node:path';
import { parsePortMap, runDataPlane } from '@sluice/data-plane/primary';
import { ensureEtcdAccess } from './etcd-access.mjs';
import { applyLogLevel, dataPlaneOptions, etcdConnection } from './options.mjs';
import { onShutdown } from './shutdown.mjs';
import { UsageError } from './usage-error.mjs';

/** --port-map, refused as a usage error when malformed. */
export function portMapOf(o) {
  try {
    return parsePortMap(o['port-map']);
  } catch (err) {
    throw new UsageError(err.message);
  }
}

export async function run(_command, o) {
  applyLogLevel(o);
  if (o.check) return check(o);
  // A malformed --port-map is refused before anything starts.
  const portMap = portMapOf(o);
  await ensureEtcdAccess(etcdConnection(o), 'data-plane');
  const dp = await runDataPlane(dataPlaneOptions(o, { cacheDir: path.resolve(o['data-dir'], 'cache'), portMap }));
  console.log(
    `data plane: http port ${dp.httpPort}, status port ${dp.statusPort}, https port ${dp.httpsPort}, ${dp.workers} workers, etcd ${o.etcd}${o.prefix}`,
  );
  onShutdown(() => dp.stop());
}

/** `--check`: compile what etcd holds and exit 0 (all good), 1 (documents rejected) or 2 (etcd unreachable). */
async function check(o) {
  // The whole data plane (compiler, plugins) only for --check: the primary itself never loads it.
  const { checkConfig, formatCheckReport } = await import('@sluice/data-plane');
  const report = await checkConfig({ ...etcdConnection(o), pluginsDir: o['plugins-dir'] ? path.resolve(o['plugins-dir']) : undefined });
  const text = formatCheckReport(report, `etcd ${o.etcd} prefix ${o.prefix}`);
  if (report.ok) console.log(text);
  else console.error(text);
  process.exit(report.unreachable ? 2 : report.ok ? 0 : 1);
}
