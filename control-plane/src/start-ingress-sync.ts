import type { KubeConfig } from '@kubernetes/client-node';
import type { Etcd3 } from 'etcd3';
import { pino } from 'pino';
import { createLeaseElection, type LeaseElection } from './leader/lease-election.js';
import type { ControlPlaneMetrics } from './observe/control-plane-metrics.js';
import { createRunner, type Runner } from './runner.js';
import { createFileSource } from './source/file-source.js';
import { createKubeSource } from './source/kube-source.js';
import type { ResourceSource } from './source/resource-source.js';
import { createGatewayApiStatusEvents } from './status/gateway-api-status-events.js';
import { createGatewayApiStatusWriter } from './status/gateway-api-status.js';
import { createIngressStatusWriter } from './status/ingress-status.js';
import { createPolicyStatusWriter } from './status/policy-status.js';
import { createWarningEvents } from './status/warning-events.js';
import { createEtcdWriter, type EtcdWriter } from './sync/etcd-writer.js';
import { translateCluster, type ClusterTranslateOptions } from './translate-cluster.js';
import type { TranslateOptions, TranslateWarning } from './translate/types.js';

export interface IngressSyncOptions {
  etcd: Etcd3;
  prefix: string;
  /** Folder of manifests (standalone mode). */
  manifests?: string;
  /** The API server to watch (Kubernetes mode): the process's one KubeConfig (loadKubeConfig). */
  kubeConfig?: KubeConfig;
  /** Ingress translator options plus --gateway-address-pool. */
  translate?: Partial<ClusterTranslateOptions>;
  /** --leader-election-namespace (Kubernetes mode; default "default"). */
  leaderElectionNamespace?: string;
  /** --publish-status-address / --publish-service (Kubernetes mode). */
  publishStatusAddress?: string;
  publishService?: string;
  /** Sync duration, etcd writes, warnings, failures and leadership go here. */
  metrics?: ControlPlaneMetrics;
}

export interface IngressSync extends Runner {
  /** Undefined in manifest mode (no election: one process, one writer). */
  election?: LeaseElection;
}

export const DEFAULT_TRANSLATE_OPTIONS: TranslateOptions = {
  ingressClass: 'sluice',
  controllerName: 'sluice.dev/gateway-controller',
  watchIngressWithoutClass: false,
};

/**
 * Starts source → translate (Ingress and Gateway API, one snapshot) → etcd for whichever source
 * is configured; resolves once the first complete snapshot is in etcd (or, for a follower
 * replica, translated). Every warning is logged as `{object, message}`. In Kubernetes mode,
 * replicas elect a leader on a Lease: only the leader writes etcd, statuses and Events;
 * followers keep their informers warm and, when they take over, write the newest snapshot at once.
 */
export async function startIngressSync(opts: IngressSyncOptions): Promise<IngressSync> {
  const log = pino({ name: 'ingress-sync', level: process.env.GATEWAY_LOG_LEVEL ?? 'warn' });
  const warn = (w: TranslateWarning) => log.warn({ object: w.object, message: w.message }, 'translator warning');
  const source: ResourceSource = opts.kubeConfig ? createKubeSource({ kubeConfig: opts.kubeConfig, warn }) : createFileSource({ dir: opts.manifests!, warn });
  const etcdWriter = createEtcdWriter(opts.etcd, opts.prefix, {
    warn,
    onRetry: (err, attempt) => log.warn({ attempt, err: err.message }, 'etcd write failed; retrying'),
  });

  let election: LeaseElection | undefined;
  let runner: Runner | undefined;
  if (opts.kubeConfig) {
    election = createLeaseElection({
      kubeConfig: opts.kubeConfig,
      namespace: opts.leaderElectionNamespace,
      onStartedLeading: () => {
        log.warn({ identity: election!.identity }, 'became the leader: writing etcd and Ingress statuses');
        runner?.resync();
      },
      onStoppedLeading: () => log.warn({ identity: election!.identity }, 'no longer the leader: etcd writer idle'),
      onError: (err) => log.warn({ err: err.message }, 'leader election: lease call failed'),
    });
  }
  const isLeader = () => !election || election.isLeader();
  opts.metrics?.watchLeadership(isLeader);
  /** When the snapshot being synced was taken up: the sync duration runs from there to etcd. */
  let syncStarted = 0;
  const writer: EtcdWriter = {
    apply: async (result) => {
      if (!isLeader()) return { put: 0, deleted: 0, unchanged: 0, skipped: 0, attempts: 0 };
      const report = await etcdWriter.apply(result);
      opts.metrics?.synced((performance.now() - syncStarted) / 1000, report, result.warnings.length);
      return report;
    },
    close: () => etcdWriter.close(),
  };

  const statusWriter =
    opts.kubeConfig && (opts.publishStatusAddress || opts.publishService)
      ? createIngressStatusWriter({
          kubeConfig: opts.kubeConfig,
          publishStatusAddress: opts.publishStatusAddress,
          publishService: opts.publishService,
          onWritten: (ingress, addresses) => log.info({ ingress, addresses }, 'Ingress status written'),
          onError: (err, ingress) => log.warn({ ingress, err: err.message }, 'Ingress status write failed'),
        })
      : undefined;
  const policyStatus = opts.kubeConfig
    ? createPolicyStatusWriter({
        kubeConfig: opts.kubeConfig,
        onWritten: (object, conditions) => log.info({ object, conditions }, 'policy status written'),
        onError: (err, object) => log.warn({ object, err: err.message }, 'policy status write failed'),
      })
    : undefined;
  const events = opts.kubeConfig
    ? createWarningEvents({ kubeConfig: opts.kubeConfig, onError: (err) => log.warn({ err: err.message }, 'Event not posted') })
    : undefined;
  const translateOptions: ClusterTranslateOptions = { ...DEFAULT_TRANSLATE_OPTIONS, ...opts.translate };
  const gatewayStatus = opts.kubeConfig
    ? createGatewayApiStatusWriter({
        kubeConfig: opts.kubeConfig,
        controllerName: translateOptions.controllerName,
        isLeader,
        onWritten: (object) => log.info({ object }, 'Gateway API status written'),
        onError: (err, object) => log.warn({ object, err: err.message }, 'Gateway API status write failed'),
      })
    : undefined;
  const gatewayEvents = opts.kubeConfig
    ? createGatewayApiStatusEvents({ kubeConfig: opts.kubeConfig, onError: (err) => log.warn({ err: err.message }, 'Event not posted') })
    : undefined;

  runner = createRunner({
    source,
    translate: (snapshot) => {
      syncStarted = performance.now();
      return translateCluster(snapshot, translateOptions);
    },
    writer,
    warn,
    onSynced: async (result, resources) => {
      if (!isLeader()) return;
      log.info({ documents: result.documents.length, warnings: result.warnings.length }, 'synced to etcd');
      await statusWriter?.update(result, resources);
      await policyStatus?.update(result, resources);
      await gatewayStatus?.update(result.gatewayStatuses, resources);
      await events?.post(result.warnings);
      await gatewayEvents?.post(result.warnings, resources);
    },
    onError: (err) => {
      opts.metrics?.syncFailed();
      log.error({ err: err.message }, 'sync failed');
    },
  });
  // Campaign first, so a lone replica writes its very first snapshot instead of waiting a round.
  await election?.start();
  try {
    await runner.start();
  } catch (err) {
    await election?.stop();
    throw err;
  }
  const started = runner;
  return {
    election,
    start: () => started.start(),
    resync: () => started.resync(),
    async close() {
      // Stop writing before the lease is released, so two replicas never write at once.
      await started.close();
      await election?.stop();
    },
  };
}
