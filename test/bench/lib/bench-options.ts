/** Durations and counts of one bench run; BENCH_QUICK=1 shortens everything for development. */
export interface BenchOptions {
  quick: boolean;
  /** Interleaved passes per measurement; medians are taken over them. */
  passes: number;
  warmupSeconds: number;
  /** The main HTTP measurement, 50 connections. */
  httpSeconds: number;
  /** The quicker HTTP passes at 10 and 200 connections. */
  sideSeconds: number;
  wsSeconds: number;
  wsConnections: number;
  propagationUpdates: number;
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = env.BENCH_QUICK === '1';
  const passes = Number(env.BENCH_PASSES ?? (quick ? 1 : 3));
  if (!Number.isInteger(passes) || passes < 1 || passes > 9) throw new Error(`BENCH_PASSES must be 1..9, got ${env.BENCH_PASSES}`);
  return {
    quick,
    passes,
    warmupSeconds: quick ? 1 : 3,
    httpSeconds: quick ? 2 : 10,
    sideSeconds: quick ? 2 : 3,
    wsSeconds: quick ? 2 : 6,
    wsConnections: 50,
    propagationUpdates: quick ? 50 : 200,
  };
}
