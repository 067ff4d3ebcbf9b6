import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Multi-process and browser suites start real processes; two at a time keeps a 2-core box honest.
    maxWorkers: 2,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
});
