/**
 * Turns bursts of object events into few snapshots without delaying a lone change: after a
 * quiet spell (nothing ran for `delayMs`), a change runs on the next turn of the event loop,
 * so one EndpointSlice update reaches the translator at once; changes that follow within
 * `delayMs` of a run are gathered and run together when that time is up (one `kubectl apply`
 * of many objects, or an editor save, becomes one or two snapshots).
 */
export function coalesce(delayMs: number, fn: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let lastRun = -Infinity;
  const run = () => {
    timer = undefined;
    immediate = undefined;
    lastRun = Date.now();
    fn();
  };
  return {
    trigger(): void {
      if (timer !== undefined || immediate !== undefined) return;
      const wait = lastRun + delayMs - Date.now();
      if (wait <= 0) immediate = setImmediate(run);
      else timer = setTimeout(run, wait);
    },
    cancel(): void {
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
    },
  };
}
