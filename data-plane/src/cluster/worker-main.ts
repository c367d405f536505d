import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import client from 'prom-client';
import { clientTrafficFromFlags } from '../compile/client-traffic.js';
import { createEtcdSource } from '../config/etcd-source.js';
import { createLogger } from '../observe/logger.js';
import { createPluginRegistry, loadCustomPlugins } from '../plugins/index.js';
import { parentChannel, useInstanceWindowCounter } from '../plugins/instance-window-counter.js';
import { createWorker, type Worker } from '../worker.js';
import { LOAD_BEFORE_LISTEN_ENV, WORKER_OPTIONS_ENV, type DataPlaneOptions, type PrimaryMessage, type WorkerMessage } from './options.js';

/** Entry point of a forked data-plane worker: etcd source + worker, reporting to the primary. */
async function main(): Promise<void> {
  const opts = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as DataPlaneOptions;
  const logger = createLogger('data-plane-worker');
  // Constructing an AggregatorRegistry in a worker installs prom-client's IPC listener that
  // answers the primary's /metrics requests with this worker's default registry.
  new client.AggregatorRegistry();
  const send = (msg: WorkerMessage) => {
    if (process.connected) process.send?.(msg);
  };
  // One cache file per etcd prefix, shared by the workers (written atomically).
  fs.mkdirSync(opts.cacheDir, { recursive: true });
  const cacheFile = path.join(opts.cacheDir, `config-${createHash('sha1').update(opts.prefix).digest('hex').slice(0, 12)}.json`);

  let worker: Worker | undefined;
  const source = createEtcdSource({
    endpoints: opts.etcd,
    prefix: opts.prefix,
    auth: opts.etcdUsername ? { username: opts.etcdUsername, password: opts.etcdPassword ?? '' } : undefined,
    tls:
      opts.etcdCa || opts.etcdCert
        ? {
            ca: opts.etcdCa ? fs.readFileSync(opts.etcdCa) : undefined,
            cert: opts.etcdCert ? fs.readFileSync(opts.etcdCert) : undefined,
            key: opts.etcdKey ? fs.readFileSync(opts.etcdKey) : undefined,
          }
        : undefined,
    cacheFile,
    logger,
    onStateChange: (s) => worker?.sourceStateChanged(s),
  });
  // Several workers: limit-count `policy: local` counts in the primary, for the whole instance.
  useInstanceWindowCounter(opts.workers, logger, parentChannel());
  const custom = opts.pluginsDir ? await loadCustomPlugins(opts.pluginsDir, logger) : [];
  worker = createWorker({
    plugins: createPluginRegistry(custom, logger),
    source,
    httpPort: opts.httpPort,
    httpsPort: opts.httpsPort,
    host: opts.host,
    portMap: new Map(Object.entries(opts.portMap ?? {}).map(([declared, bound]) => [Number(declared), bound])),
    clientTraffic: clientTrafficFromFlags(opts.clientTraffic ?? {}),
    logger,
    // Escape hatch: GATEWAY_FRONT=node serves clients with node:http instead of the raw front.
    front: process.env.GATEWAY_FRONT === 'node' ? 'node' : 'raw',
    onState: (state) => send({ type: 'sluice:state', state, streamPorts: worker?.streamPorts ?? [] }),
  });
  const w = worker;

  process.on('message', (msg: PrimaryMessage) => {
    if (msg?.type === 'sluice:drain') {
      w.drain(msg.graceMs).finally(() => process.exit(0));
    } else if (msg?.type === 'sluice:health?') {
      const upstreams: Record<string, { key: string; healthy: boolean }[]> = {};
      for (const [id, rt] of w.table?.upstreams ?? []) upstreams[id] = rt.health();
      send({ type: 'sluice:health', requestId: msg.requestId, upstreams });
    }
  });
  // The primary owns signals; a worker ignores a terminal's SIGINT and waits for its drain message.
  process.on('SIGINT', () => undefined);
  // SIGHUP (forwarded by the primary at a rolling restart) only reopens log files (file-logger
  // hooks it itself); without a listener it would kill the worker.
  process.on('SIGHUP', () => undefined);
  process.on('SIGTERM', () => w.drain(opts.drainSeconds * 1000).finally(() => process.exit(0)));
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception in worker'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection in worker'));

  if (process.env[LOAD_BEFORE_LISTEN_ENV] === '1') {
    // A replacement worker (respawn, rolling restart) joins the shared port only once it has
    // a config, so the primary never hands it a connection it would answer with 503.
    await w.load();
    const httpPort = await w.listen();
    send({ type: 'sluice:listening', httpPort, httpsPort: w.httpsPort });
  } else {
    // The first workers bind at once so the ports are known (and /readyz tells when they serve).
    const httpPort = await w.listen();
    send({ type: 'sluice:listening', httpPort, httpsPort: w.httpsPort });
    await w.load();
  }
}

main().catch((err) => {
  console.error('data-plane worker failed to start:', err);
  process.exit(1);
});
