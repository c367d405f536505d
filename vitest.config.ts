import { defineConfig } from 'vitest/config';

// Tiers (STYLE.md §4): unit tests sit next to the code and do no I/O; integration and
// e2e tests use a real etcd and real sockets. Sources are resolved through the
// "source" export condition so tests run on TypeScript without a build.
const resolve = { conditions: ['source'] };

export default defineConfig({
  resolve,
  test: {
    projects: [
      {
        resolve,
        test: { name: 'unit', include: ['{model,control-plane,data-plane,dashboard}/src/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/security/**/*.test.ts',
            'test/deploy/**/*.test.ts',
            'test/conformance/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          fileParallelism: true,
          maxWorkers: 2,
          // Unit tests run first, then these (vitest needs distinct groups for distinct worker limits).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
