import type net from 'node:net';

/** What to do with a connection once its first bytes are understood. */
export type TakeOver = () => void;

/**
 * Reads the start of a paused connection until `decide` knows what to do with it: `decide`
 * sees all bytes so far (`initial` first) and returns undefined to wait for more, or the step
 * that takes the socket over, which runs after this reader has let go of it (so it may read
 * the socket itself). `full` tells `decide` the byte budget is spent; undefined then closes
 * the connection. The client gets `timeoutMs` in all; past it the socket is destroyed.
 */
export function readPrefix(
  socket: net.Socket,
  initial: Buffer,
  maxBytes: number,
  timeoutMs: number,
  decide: (received: Buffer, full: boolean) => TakeOver | undefined,
): void {
  let received = initial;
  if (received.length > 0) {
    const takeOver = decide(received, received.length >= maxBytes);
    if (takeOver !== undefined) return takeOver();
    if (received.length >= maxBytes) return void socket.destroy();
  }
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const onData = (chunk: Buffer): void => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const full = received.length >= maxBytes;
    const takeOver = decide(received, full);
    if (takeOver === undefined && !full) return;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
    socket.pause();
    if (takeOver === undefined) socket.destroy();
    else takeOver();
  };
  const onClose = (): void => clearTimeout(timer);
  socket.on('data', onData);
  socket.once('close', onClose);
  socket.resume();
}
