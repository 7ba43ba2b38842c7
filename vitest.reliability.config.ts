import { defineConfig } from 'vitest/config';

// Reliability tests kill real processes, write real catalog files and fuzz the parsers and the
// transports. They are slow (minutes) and timing-sensitive, so they run one file at a time and
// are not part of `npm test`. Size them with RELIABILITY_* variables (see docs/RELIABILITY.md).
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.rel.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
