/**
 * Calls `fn` once, `delayMs` after the first of a burst of `trigger()` calls: the events of
 * one `kubectl apply` or one editor save become one snapshot.
 */
export function coalesce(delayMs: number, fn: () => void) {
  let timer: NodeJS.Timeout | undefined;
  return {
    trigger(): void {
      timer ??= setTimeout(() => {
        timer = undefined;
        fn();
      }, delayMs);
    },
    cancel(): void {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
