/**
 * `@sluice/data-plane/primary`: what `gateway data-plane` and `gateway up` run in their own
 * process. The primary forks the workers and never proxies, so it does not load the worker's
 * code (the proxy, the compiler, the plugins): a cold start forks its workers sooner.
 */
export { runDataPlane } from './cluster/primary.js';
export { parsePortMap } from './cluster/parse-port-map.js';
export type { DataPlaneOptions } from './cluster/options.js';
