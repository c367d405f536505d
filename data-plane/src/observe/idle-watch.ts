import type { Socket } from 'node:net';

/**
 * Calls `onIdle` once no byte moved on either socket for `idleMs`, by comparing the sockets'
 * byte counters on a timer at a quarter of the timeout. Unlike `socket.setTimeout`, which
 * re-arms a timer on every read and write, a busy connection costs nothing per chunk. Fires
 * between 1× and 1.25× the timeout. Returns a function that stops watching.
 */
export function watchIdle(a: Socket, b: Socket, idleMs: number, onIdle: () => void): () => void {
  const step = Math.max(50, Math.floor(idleMs / 4));
  const moved = () => a.bytesRead + a.bytesWritten + b.bytesRead + b.bytesWritten;
  let last = moved();
  let lastActive = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const bytes = moved();
    if (bytes !== last) {
      last = bytes;
      lastActive = now;
    } else if (now - lastActive >= idleMs) {
      clearInterval(timer);
      onIdle();
    }
  }, step);
  timer.unref();
  return () => clearInterval(timer);
}
