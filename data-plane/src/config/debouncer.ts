/**
 * Coalesces bursts of etcd events into few compiles without delaying a lone change.
 *
 * A change runs on the next turn of the event loop (so the events of one watch message
 * compile once) unless the previous run ended less than a gap ago; then it runs when the
 * gap is over, together with every change that arrived meanwhile. The gap adapts to what a
 * compile costs: max(`minGapMs`, 2 × the last run's duration), capped at `maxGapMs`. So a
 * single admin edit applies in about a millisecond, back-to-back edits apply every
 * `minGapMs`, and 1000 keys written at once compile a few times, while a table so big that
 * a compile takes 300 ms is rebuilt at most every 600 ms — never stalling the worker in a
 * compile loop (the APISIX trap of rebuilding per change, #10268).
 */
export interface Debouncer {
  schedule(): void;
  /** Runs now if something is pending. */
  flush(): void;
  /** Drops what is pending without running. */
  cancel(): void;
}

export function createDebouncer(run: () => void, minGapMs: number, maxGapMs: number, now: () => number = Date.now): Debouncer {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let pending = false;
  let lastEnd = -Infinity;
  let gap = minGapMs;

  const cancel = () => {
    if (immediate) clearImmediate(immediate);
    clearTimeout(timer);
    immediate = timer = undefined;
    pending = false;
  };
  const flush = () => {
    if (!pending) return;
    cancel();
    const started = now();
    try {
      run();
    } finally {
      lastEnd = now();
      gap = Math.min(maxGapMs, Math.max(minGapMs, 2 * (lastEnd - started)));
    }
  };

  return {
    schedule() {
      if (pending) return; // the scheduled run will include this change
      pending = true;
      const wait = lastEnd + gap - now();
      if (wait <= 0) immediate = setImmediate(flush);
      else timer = setTimeout(flush, wait);
    },
    flush,
    cancel,
  };
}
