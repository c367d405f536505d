/**
 * limit-count `policy: local` with several workers: every hit a worker made in one event-loop
 * turn, in one message. `hits` is flat, `[key, windowMs, key, windowMs, ...]`, to keep the
 * JSON small.
 */
export interface CountRequest {
  type: 'sluice:count';
  batchId: number;
  hits: (string | number)[];
}

/** The primary's answer to one CountRequest: flat `[used, resetAt, ...]`, in the hits' order. */
export interface CountReply {
  type: 'sluice:counted';
  batchId: number;
  windows: number[];
}
