/** A plugin's own answer to a request: the proxy sends it and never calls the upstream. */
export interface ShortCircuit {
  status: number;
  headers?: Readonly<Record<string, string | number>>;
  body?: string | Buffer;
}

/** What a request phase returns: nothing to go on, or a response. */
export type PhaseResult = ShortCircuit | undefined | void;

/**
 * The response head as `headerFilter` sees and edits it. `headers` is the flat raw array
 * (edit with flat-headers.ts). A `body` set here replaces the upstream's body.
 */
export interface ResponseHead {
  status: number;
  headers: string[];
  body?: string | Buffer;
}
