import type { Etcd3, IEvent, IWatchResponse } from 'etcd3';
import { documentRanges } from './load-prefix.js';

/** Why a watch stopped. Anything but `closed` means the caller must resync. */
export type WatchEnd =
  | { reason: 'compacted'; compactRevision: number }
  | { reason: 'canceled'; message: string }
  | { reason: 'disconnected'; error: Error }
  | { reason: 'closed' };

export interface PrefixWatch {
  /** Resolves once, when the watch stops for any reason. */
  readonly ended: Promise<WatchEnd>;
  cancel(): void;
}

/**
 * A watch of the prefix's document ranges (`documentRanges`: all but the data planes'
 * registrations), one etcd watcher per range, on one gRPC stream that we own outright. etcd3's
 * Watcher reconnects on its own and resumes from the revision of its last response header,
 * which can skip events or hide a compaction; here any break simply ends the watch and the
 * source decides how to resync. The watchers share the stream, on which etcd sends the
 * responses of its synced watchers in revision order, so events still arrive in the order they
 * were written.
 */
export async function watchPrefix(client: Etcd3, prefix: string, startRevision: number, onEvents: (events: IEvent[]) => void): Promise<PrefixWatch> {
  const stream = await client.watchClient.watch();
  let finish!: (end: WatchEnd) => void;
  const ended = new Promise<WatchEnd>((resolve) => (finish = resolve));
  let done = false;

  const end = (result: WatchEnd) => {
    if (done) return;
    done = true;
    try {
      stream.cancel();
    } catch {
      /* already gone */
    }
    finish(result);
  };

  // Registered first and never removed: a cancelled gRPC stream still emits 'error'.
  stream.on('error', (error: Error) => end({ reason: 'disconnected', error }));
  stream.on('end', () => end({ reason: 'disconnected', error: new Error('etcd closed the watch stream') }));
  stream.on('data', (res: IWatchResponse) => {
    if (done) return;
    if (res.canceled) {
      const compactRevision = Number(res.compact_revision);
      end(compactRevision > 0 ? { reason: 'compacted', compactRevision } : { reason: 'canceled', message: res.cancel_reason });
      return;
    }
    if (!res.events?.length) return; // created / progress notifications
    try {
      onEvents(res.events);
    } catch (err) {
      end({ reason: 'disconnected', error: err as Error });
    }
  });
  for (const range of documentRanges(prefix)) {
    stream.write({ create_request: { key: range.start, range_end: range.end, start_revision: String(startRevision), progress_notify: true } });
  }
  return { ended, cancel: () => end({ reason: 'closed' }) };
}
