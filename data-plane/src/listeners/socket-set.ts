import type { Logger } from '../observe/logger.js';
import type { ListenerSocketHandle } from './listener-socket-handle.js';

/** One version of a document a socket serves: `<collection>/<id>` and its etcd mod revision. */
export interface ServedDocument {
  key: string;
  modRevision: number;
}

/** A socket that could not be bound, and the document versions it was to serve. */
export interface BindFailure {
  documents: readonly ServedDocument[];
  reason: string;
}

export interface SocketSetOptions<P> {
  logger: Logger;
  /** For log lines: "stream port", "listener". */
  what: string;
  /** A handle for a plan, not yet bound; may throw (the plan is then refused with the message). */
  create(plan: P): ListenerSocketHandle<P>;
  /** The document versions a plan serves. */
  documents(plan: P): readonly ServedDocument[];
  /** The reason a bind error gives for the plan's documents. */
  bindError(plan: P, err: NodeJS.ErrnoException): string;
  /** Told when a socket bound or failed to after `apply` returned. */
  onChange(): void;
}

interface Entry<P> {
  plan: P;
  handle: ListenerSocketHandle<P>;
  state: 'opening' | 'open';
  /** No longer wanted, but kept serving until the sockets that take over its documents are bound. */
  held: boolean;
}

/** How often closed sockets with connections still open are looked at (they are cut at drain's end). */
const CLOSING_SWEEP_MS = 500;

/**
 * Keeps a set of listening sockets equal to those a routing table wants, keyed by what makes
 * a socket (address, port, kind), with make-before-break: while a key stays, a new table only
 * updates the socket's plan; a socket no longer wanted keeps serving its last plan until every
 * socket that takes over one of its documents is bound, so a document moved to a port that
 * cannot be bound (EADDRINUSE, EACCES) never loses the port it had. A failure rejects the
 * new socket's documents (`rejected`, `failures`) and is tried again on the next `apply`; a
 * removed socket stops accepting and its connections finish. Nothing here throws.
 */
export function createSocketSet<P>(opts: SocketSetOptions<P>) {
  const { logger } = opts;
  const open = new Map<string, Entry<P>>();
  const closing = new Set<ListenerSocketHandle<P>>();
  let failed = new Map<string, { plan: P; reason: string }>();
  let sweep: NodeJS.Timeout | undefined;

  const keysOf = (plan: P) => opts.documents(plan).map((d) => d.key);

  function openSocket(key: string, plan: P): void {
    let handle: ListenerSocketHandle<P>;
    try {
      handle = opts.create(plan);
    } catch (err) {
      return void fail(key, plan, (err as Error).message);
    }
    const entry: Entry<P> = { plan, handle, state: 'opening', held: false };
    open.set(key, entry);
    handle.listen().then(
      () => {
        // Retired while it was binding: it must not stay bound.
        if (open.get(key) !== entry) return closeQuietly(handle);
        entry.state = 'open';
        logger.info({ socket: key, documents: keysOf(entry.plan) }, `${opts.what} opened`);
        releaseHeld();
        opts.onChange();
      },
      (err: NodeJS.ErrnoException) => {
        closeQuietly(handle);
        if (open.get(key) !== entry) return;
        open.delete(key);
        fail(key, entry.plan, opts.bindError(entry.plan, err));
        // The owner may answer with a new table (the documents' previous versions) before the
        // sockets held for them are looked at again.
        opts.onChange();
        releaseHeld();
      },
    );
  }

  function fail(key: string, plan: P, reason: string): void {
    for (const doc of keysOf(plan)) logger.error({ key: doc, socket: key }, `${opts.what} rejected: ${reason}`);
    failed.set(key, { plan, reason });
  }

  /**
   * Retires held sockets none of whose documents waits for a wanted socket to bind (or was
   * just refused one: the owner is about to put the previous version back).
   */
  function releaseHeld(refused: ReadonlyMap<string, { plan: P }> = new Map()): void {
    const awaited = new Set<string>();
    for (const { plan } of refused.values()) for (const doc of keysOf(plan)) awaited.add(doc);
    for (const entry of open.values()) if (!entry.held && entry.state === 'opening') for (const doc of keysOf(entry.plan)) awaited.add(doc);
    for (const [key, entry] of open) {
      if (!entry.held || keysOf(entry.plan).some((doc) => awaited.has(doc))) continue;
      open.delete(key);
      retire(entry.handle);
      logger.info({ socket: key }, `${opts.what} closed`);
    }
  }

  function retire(handle: ListenerSocketHandle<P>): void {
    handle.close();
    if (handle.connections === 0) return;
    closing.add(handle);
    sweep ??= setInterval(() => {
      for (const h of closing) if (h.connections === 0) closing.delete(h);
      if (closing.size === 0) {
        clearInterval(sweep);
        sweep = undefined;
      }
    }, CLOSING_SWEEP_MS).unref();
  }

  return {
    /**
     * Makes the wanted sockets: open ones get their new plan, missing ones are bound, those no
     * longer wanted are held or closed. `refused` are wanted sockets the owner will not bind
     * (a port the gateway itself uses), reported like bind failures.
     */
    apply(wanted: ReadonlyMap<string, P>, refused: ReadonlyMap<string, { plan: P; reason: string }> = new Map()): void {
      failed = new Map();
      for (const [key, { plan, reason }] of refused) fail(key, plan, reason);
      for (const [key, plan] of wanted) {
        const entry = open.get(key);
        if (entry === undefined) {
          openSocket(key, plan);
          continue;
        }
        entry.plan = plan;
        entry.held = false;
        entry.handle.update(plan);
      }
      for (const [key, entry] of open) if (!wanted.has(key)) entry.held = true;
      releaseHeld(refused);
    },
    /** Documents of sockets that could not be bound (or were refused): key → reason. */
    rejected(): Map<string, string> {
      const out = new Map<string, string>();
      for (const { plan, reason } of failed.values()) for (const doc of keysOf(plan)) out.set(doc, reason);
      return out;
    },
    /** The same, with the document versions, so their owner can put previous versions back in force. */
    failures(): BindFailure[] {
      return [...failed.values()].map(({ plan, reason }) => ({ documents: opts.documents(plan), reason }));
    },
    /** Documents of wanted sockets still binding: taken in, not served yet. */
    pending(): Set<string> {
      const out = new Set<string>();
      for (const entry of open.values()) if (!entry.held && entry.state === 'opening') for (const doc of keysOf(entry.plan)) out.add(doc);
      return out;
    },
    /** Every bound or binding socket (held ones included: they still serve) with its plan. */
    entries(): { key: string; plan: P; state: 'opening' | 'open' }[] {
      return [...open].map(([key, { plan, state }]) => ({ key, plan, state }));
    },
    /** Sockets that could not be bound, with their reason. */
    failedEntries(): { key: string; plan: P; reason: string }[] {
      return [...failed].map(([key, { plan, reason }]) => ({ key, plan, reason }));
    },
    /** Stops accepting everywhere, lets connections finish for up to `graceMs`, then cuts the rest. */
    async drain(graceMs: number): Promise<void> {
      for (const entry of open.values()) retire(entry.handle);
      open.clear();
      const deadline = Date.now() + graceMs;
      while ([...closing].some((h) => h.connections > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      this.close();
    },
    close(): void {
      for (const entry of open.values()) {
        entry.handle.close();
        entry.handle.destroyConnections();
      }
      open.clear();
      for (const handle of closing) handle.destroyConnections();
      closing.clear();
      clearInterval(sweep);
      sweep = undefined;
    },
  };
}

export type SocketSet<P> = ReturnType<typeof createSocketSet<P>>;

/** Closing a socket that never bound (a UDP socket throws then) must not throw. */
function closeQuietly(handle: { close(): void }): void {
  try {
    handle.close();
  } catch {
    /* nothing was bound */
  }
}
