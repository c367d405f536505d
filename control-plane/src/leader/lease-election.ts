import os from 'node:os';
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';

export interface LeaseElectionOptions {
  /** The process's one KubeConfig (loadKubeConfig). */
  kubeConfig: KubeConfig;
  /** --leader-election-namespace (default "default"). */
  namespace?: string;
  name?: string;
  /** Unique per replica; default hostname-pid. */
  identity?: string;
  leaseSeconds?: number;
  /** How often the leader renews. */
  renewMs?: number;
  /** How often a follower looks at the lease. */
  retryMs?: number;
  /** A leader that could not renew for this long steps down (before anyone can take over). */
  renewDeadlineMs?: number;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  onError?: (err: Error) => void;
}

export interface LeaseElection {
  readonly identity: string;
  isLeader(): boolean;
  /** Starts campaigning; resolves after the first attempt (leader or not). */
  start(): Promise<void>;
  /** Stops campaigning and, when leading, releases the lease so another replica takes over at once. */
  stop(): Promise<void>;
}

export const LEADER_LEASE_NAME = 'sluice-controller-leader';

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it:
 * every write carries the resourceVersion it read (a concurrent writer gets 409 and loses), and a
 * lease counts as expired when its record has not changed for leaseDurationSeconds *as observed
 * here*, so clocks of different machines never need to agree.
 */
export function createLeaseElection(options: LeaseElectionOptions): LeaseElection {
  const {
    namespace = 'default',
    name = LEADER_LEASE_NAME,
    identity = `${os.hostname()}-${process.pid}`,
    leaseSeconds = 15,
    renewMs = 5_000,
    retryMs = 2_000,
    renewDeadlineMs = 10_000,
    onStartedLeading = () => {},
    onStoppedLeading = () => {},
    onError = () => {},
  } = options;
  const kc = options.kubeConfig;
  const api = kc.makeApiClient(CoordinationV1Api);

  let leading = false;
  let lastRenewed = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  /** The lease record as last seen, and when it last changed (by our clock). */
  let observed: { resourceVersion?: string; at: number } = { at: 0 };
  /** When another holder's lease runs out by our clock, if it does not renew (Infinity when we hold it or nobody does). */
  let othersExpireAt = Infinity;

  const setLeading = (value: boolean) => {
    if (value === leading) return;
    leading = value;
    if (value) onStartedLeading();
    else onStoppedLeading();
  };

  const spec = (acquireTime: Date | undefined, transitions: number): V1Lease['spec'] => {
    const now = new Date();
    return { holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: acquireTime ?? now, renewTime: now, leaseTransitions: transitions };
  };

  const attempt = async (): Promise<void> => {
    // Known again only from a lease read now (a failed call must not make the next poll come at once).
    othersExpireAt = Infinity;
    const lease = await api.readNamespacedLease({ name, namespace }).catch((err: { code?: number }) => {
      if (err?.code === 404) return undefined;
      throw err;
    });
    if (!lease) {
      await api.createNamespacedLease({
        namespace,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec(undefined, 0) },
      });
      lastRenewed = Date.now();
      return setLeading(true);
    }
    const rv = lease.metadata?.resourceVersion;
    if (rv !== observed.resourceVersion) observed = { resourceVersion: rv, at: Date.now() };
    const holder = lease.spec?.holderIdentity ?? '';
    const duration = (lease.spec?.leaseDurationSeconds ?? leaseSeconds) * 1000;
    const mine = holder === identity;
    const expired = !holder || Date.now() - observed.at > duration;
    othersExpireAt = mine || expired ? Infinity : observed.at + duration;
    if (!mine && !expired) return setLeading(false);
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1);
    const body: V1Lease = { ...lease, spec: spec(mine ? lease.spec?.acquireTime : undefined, transitions) };
    const written = await api.replaceNamespacedLease({ name, namespace, body });
    observed = { resourceVersion: written.metadata?.resourceVersion, at: Date.now() };
    lastRenewed = Date.now();
    setLeading(true);
  };

  const tick = async () => {
    try {
      await attempt();
    } catch (err) {
      // 409: someone else wrote the lease since we read it, so they hold it now.
      if ((err as { code?: number }).code === 409) setLeading(false);
      else {
        onError(err as Error);
        if (leading && Date.now() - lastRenewed > renewDeadlineMs) setLeading(false);
      }
    }
  };

  /**
   * A follower looks every retryMs, and also right after the holder's lease runs out: waiting
   * for the next poll would add up to retryMs to every takeover (a killed leader is replaced
   * within the lease duration plus the time until we first saw its last renewal).
   */
  const schedule = () => {
    if (stopped) return;
    const delay = leading ? renewMs : Math.min(retryMs, Math.max(0, othersExpireAt - Date.now() + 1));
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, delay);
  };

  return {
    identity,
    isLeader: () => leading,
    async start() {
      running = tick();
      await running;
      running = undefined;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (!leading) return;
      // Release as client-go does: no holder, so a follower need not wait for the lease to expire.
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity === identity) {
          await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } } });
        }
      } catch (err) {
        onError(err as Error);
      }
      setLeading(false);
    },
  };
}
