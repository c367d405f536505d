import path from 'node:path';
import { runDataPlane } from '@sluice/data-plane';
import { dataPlaneOptions } from './options.mjs';
import { onShutdown } from './shutdown.mjs';

export async function run(_command, o) {
  const dp = await runDataPlane(dataPlaneOptions(o, { cacheDir: path.resolve(o['data-dir'], 'cache') }));
  console.log(`data plane: http port ${dp.httpPort}, status port ${dp.statusPort}, https port ${dp.httpsPort}, ${dp.workers} workers, etcd ${o.etcd}${o.prefix}`);
  onShutdown(() => dp.stop());
}
