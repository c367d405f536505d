export { createWorker, type Worker, type WorkerOptions, type WorkerState } from './worker.js';
export { runDataPlane } from './cluster/primary.js';
export type { DataPlaneOptions } from './cluster/options.js';
export { parsePortMap } from './cluster/parse-port-map.js';
export { createEtcdSource } from './config/etcd-source.js';
export { createStaticSource } from './config/static-source.js';
export { createLogger } from './observe/logger.js';
export { createPluginRegistry, loadCustomPlugins } from './plugins/index.js';
export { checkConfig, formatCheckReport, type CheckReport } from './check/check-config.js';
