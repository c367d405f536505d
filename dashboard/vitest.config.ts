import { defineConfig } from 'vitest/config';

// The dashboard's pure modules (parsers, schema-to-form mapping, permissions); the pages
// themselves are covered by the Playwright tests in test/e2e/dashboard-*.test.ts.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
