import type { ClusterSnapshot } from './source/cluster-snapshot.js';
import type { ResourceSource } from './source/resource-source.js';
import type { EtcdWriter } from './sync/etcd-writer.js';
import type { TranslateResult, TranslateWarning } from './translate/types.js';

export interface RunnerOptions<R extends TranslateResult> {
  source: ResourceSource;
  /** Every translator of one snapshot (Ingress and Gateway API), with their options bound. */
  translate: (snapshot: ClusterSnapshot) => R;
  writer: EtcdWriter;
  /** Told about every translator warning. */
  warn?: (warning: TranslateWarning) => void;
  /** Told when a snapshot reached etcd (tests, logs, the status writers). */
  onSynced?: (result: R, snapshot: ClusterSnapshot) => void | Promise<void>;
  /** Told when a snapshot could not be translated or written. */
  onError?: (err: Error) => void;
}

export interface Runner {
  /** Resolves once the first complete snapshot is in etcd. */
  start(): Promise<void>;
  /** Translates and writes the newest snapshot again (a replica that just became leader). */
  resync(): void;
  close(): Promise<void>;
}

/**
 * Source → translate() → etcd writer. Only the newest snapshot matters: while one is being
 * written, later ones replace each other and the last is written next, so a slow etcd never
 * builds up a queue of stale states.
 */
export function createRunner<R extends TranslateResult>({ source, translate, writer, warn = () => {}, onSynced, onError }: RunnerOptions<R>): Runner {
  let pending: ClusterSnapshot | undefined;
  let latest: ClusterSnapshot | undefined;
  let writing: Promise<void> | undefined;
  let closed = false;

  const sync = async (snapshot: ClusterSnapshot) => {
    const result = translate(snapshot);
    result.warnings.forEach(warn);
    await writer.apply(result);
    await onSynced?.(result, snapshot);
  };

  const drain = (): Promise<void> =>
    (writing ??= (async () => {
      try {
        while (pending && !closed) {
          const next = pending;
          pending = undefined;
          try {
            await sync(next);
          } catch (err) {
            if (!closed) onError?.(err as Error);
          }
        }
      } finally {
        writing = undefined;
      }
    })());

  return {
    async start() {
      let first: ClusterSnapshot | undefined;
      await source.start((resources) => {
        pending = latest = resources;
        first ??= resources;
        void drain();
      });
      // The source delivered its first snapshot before start() resolved; wait until it is written.
      if (!first) throw new Error('resource source started without a snapshot');
      while (writing) await writing;
    },
    resync() {
      if (closed || !latest) return;
      pending ??= latest;
      void drain();
    },
    async close() {
      closed = true;
      await source.close();
      writer.close();
      await writing;
    },
  };
}
