import type { Etcd3 } from 'etcd3';
import { pino } from 'pino';
import { createRunner, type Runner } from './runner.js';
import { createFileSource } from './source/file-source.js';
import { createKubeSource } from './source/kube-source.js';
import type { ResourceSource } from './source/resource-source.js';
import { createEtcdWriter } from './sync/etcd-writer.js';
import { translate } from './translate/index.js';
import type { TranslateOptions, TranslateWarning } from './translate/types.js';

export interface IngressSyncOptions {
  etcd: Etcd3;
  prefix: string;
  /** Folder of manifests (standalone mode). */
  manifests?: string;
  /** kubeconfig file (Kubernetes mode). */
  kubeconfig?: string;
  translate?: Partial<TranslateOptions>;
}

export const DEFAULT_TRANSLATE_OPTIONS: TranslateOptions = {
  ingressClass: 'sluice',
  controllerName: 'sluice.dev/gateway-controller',
  watchIngressWithoutClass: false,
};

/**
 * Starts source → translate → etcd for whichever source is configured; resolves once the first
 * complete snapshot is in etcd. Every warning is logged as `{object, message}`.
 */
export async function startIngressSync(opts: IngressSyncOptions): Promise<Runner> {
  const log = pino({ name: 'ingress-sync', level: process.env.GATEWAY_LOG_LEVEL ?? 'warn' });
  const warn = (w: TranslateWarning) => log.warn({ object: w.object, message: w.message }, 'ingress warning');
  const source: ResourceSource = opts.kubeconfig
    ? createKubeSource({ kubeconfig: opts.kubeconfig, warn })
    : createFileSource({ dir: opts.manifests!, warn });
  const writer = createEtcdWriter(opts.etcd, opts.prefix, {
    warn,
    onRetry: (err, attempt) => log.warn({ attempt, err: err.message }, 'etcd write failed; retrying'),
  });
  const runner = createRunner({
    source,
    translate,
    translateOptions: { ...DEFAULT_TRANSLATE_OPTIONS, ...opts.translate },
    writer,
    warn,
    onSynced: (result) => log.info({ documents: result.documents.length, warnings: result.warnings.length }, 'synced to etcd'),
    onError: (err) => log.error({ err: err.message }, 'sync failed'),
  });
  await runner.start();
  return runner;
}
