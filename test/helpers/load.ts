import http from 'node:http';

export interface LoadResult {
  ok: number;
  failed: number;
  /** status → count, plus 'error:<code>' for transport errors. */
  outcomes: Record<string, number>;
  /** x-upstream header values seen → count. */
  upstreams: Record<string, number>;
}

/**
 * A bounded closed-loop load: `concurrency` keep-alive clients send GETs back to back until
 * `stop()` is called or `maxMs` passes. A request counts as ok when its status is in `okStatuses`.
 */
export function startLoad(url: string, opts: { concurrency?: number; maxMs?: number; okStatuses?: number[]; headers?: Record<string, string> } = {}) {
  const concurrency = opts.concurrency ?? 8;
  const okStatuses = new Set(opts.okStatuses ?? [200]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { ok: 0, failed: 0, outcomes: {}, upstreams: {} };
  let running = true;
  const deadline = Date.now() + (opts.maxMs ?? 30_000);
  const count = (k: string) => (result.outcomes[k] = (result.outcomes[k] ?? 0) + 1);

  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, headers: opts.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          count(String(res.statusCode));
          const up = res.headers['x-upstream'];
          if (typeof up === 'string') result.upstreams[up] = (result.upstreams[up] ?? 0) + 1;
          if (okStatuses.has(res.statusCode ?? 0)) result.ok++;
          else result.failed++;
          resolve();
        });
        res.on('error', () => {
          count('error:response');
          result.failed++;
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        count(`error:${err.code ?? err.message}`);
        result.failed++;
        resolve();
      });
    });

  const loops = Array.from({ length: concurrency }, async () => {
    while (running && Date.now() < deadline) await one();
  });
  const done = Promise.all(loops).then(() => {
    agent.destroy();
    return result;
  });
  return {
    result,
    /** Total requests finished so far. */
    get total() {
      return result.ok + result.failed;
    },
    stop(): Promise<LoadResult> {
      running = false;
      return done;
    },
  };
}
