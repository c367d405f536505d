import { defineConfig } from 'vitest/config';

// The bench harness's own tests (parsers, process accounting), kept out of the main suites:
// `npx vitest run --config test/bench/vitest.config.ts`.
export default defineConfig({
  resolve: { conditions: ['source'] },
  test: { name: 'bench', root: import.meta.dirname, include: ['lib/**/*.test.ts'], testTimeout: 30_000 },
});
