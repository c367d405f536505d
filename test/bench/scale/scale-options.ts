/** Sizes of one `npm run bench:scale` run; BENCH_SCALE_QUICK=1 shrinks them about tenfold (for working on the harness). */
export interface ScaleOptions {
  quick: boolean;
  /** a cold start and memory, b fleet propagation, c control plane, d leader failover. */
  sections: Set<string>;
  routes: number;
  upstreams: number;
  certificates: number;
  /** Data-plane instances (1 worker each) in the fleet section. */
  instances: number;
  /** Changes timed per fleet run. */
  changes: number;
  ingresses: number;
  httpRoutes: number;
  /** Changes in flight when the leader is killed. */
  failoverChanges: number;
}

export function scaleOptions(env: NodeJS.ProcessEnv = process.env): ScaleOptions {
  const quick = env.BENCH_SCALE_QUICK === '1';
  const count = (name: string, full: number, small: number) => {
    const value = Number(env[name] ?? (quick ? small : full));
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${env[name]}`);
    return value;
  };
  return {
    quick,
    sections: new Set((env.BENCH_SCALE_SECTIONS ?? 'a,b,c,d').split(',').map((s) => s.trim())),
    routes: count('BENCH_SCALE_ROUTES', 100_000, 10_000),
    upstreams: count('BENCH_SCALE_UPSTREAMS', 20_000, 2_000),
    certificates: count('BENCH_SCALE_CERTIFICATES', 1_000, 100),
    instances: count('BENCH_SCALE_INSTANCES', 100, 10),
    changes: count('BENCH_SCALE_CHANGES', 30, 10),
    ingresses: count('BENCH_SCALE_INGRESSES', 20_000, 2_000),
    httpRoutes: count('BENCH_SCALE_HTTPROUTES', 5_000, 500),
    failoverChanges: count('BENCH_SCALE_FAILOVER_CHANGES', 5_000, 500),
  };
}
