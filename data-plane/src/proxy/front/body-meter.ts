/** What a request body chunk may do once counted against the route's limit. */
export const BodyChunk = {
  /** Within the limit: deliver it. */
  Pass: 0,
  /** This chunk crossed the limit: refuse the request (once). */
  Crossed: 1,
  /** Past the limit already: drop it. */
  Drop: 2,
} as const;
export type BodyChunk = (typeof BodyChunk)[keyof typeof BodyChunk];

/**
 * Counts a streamed request body against the limit the route sets (`limitBody`), for the client
 * adapters that get the body in chunks from Node (node:http, node:http2). Once past the limit
 * nothing more passes and the body's end is not reported.
 */
export class BodyMeter {
  private bytes = 0;
  private limit = Infinity;
  refused = false;

  setLimit(maxBytes: number): void {
    this.limit = maxBytes;
  }

  count(length: number): BodyChunk {
    if (this.refused) return BodyChunk.Drop;
    this.bytes += length;
    if (this.bytes <= this.limit) return BodyChunk.Pass;
    this.refused = true;
    return BodyChunk.Crossed;
  }
}
