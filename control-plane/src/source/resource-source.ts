import type { ClusterSnapshot } from './cluster-snapshot.js';

/**
 * Where the Kubernetes objects come from: the API server (`KubeSource`) or a folder of
 * manifests (`FileSource`). Both hand out whole snapshots, so the translator stays pure and
 * the runner never has to merge events (STYLE.md principle 14).
 */
export interface ResourceSource {
  /**
   * Starts watching. Resolves after the first complete snapshot was delivered to `onChange`;
   * later snapshots follow on every change, coalesced so a burst of events gives one call.
   */
  start(onChange: (snapshot: ClusterSnapshot) => void): Promise<void>;
  close(): Promise<void>;
}

/** How long a source waits for more events before it publishes a snapshot. */
export const COALESCE_MS = 100;
