import { defineConfig } from 'vitest/config';

// End-to-end tests drive the built studio in a real Chromium (browser mode) and, where its
// binary exists, in Electron. They share one machine's browser, so they run one file at a time.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
