/**
 * Coalesces bursts: `run` fires `waitMs` after the last `schedule()`, but never later than
 * `maxWaitMs` after the first unflushed one, so a steady trickle still gets through.
 */
export interface Debouncer {
  schedule(): void;
  /** Runs now if something is pending. */
  flush(): void;
  /** Drops what is pending without running. */
  cancel(): void;
}

export function createDebouncer(run: () => void, waitMs: number, maxWaitMs: number): Debouncer {
  let trailing: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;

  const cancel = () => {
    clearTimeout(trailing);
    clearTimeout(deadline);
    trailing = deadline = undefined;
  };
  const flush = () => {
    if (!deadline) return;
    cancel();
    run();
  };

  return {
    schedule() {
      clearTimeout(trailing);
      trailing = setTimeout(flush, waitMs);
      deadline ??= setTimeout(flush, maxWaitMs);
    },
    flush,
    cancel,
  };
}
