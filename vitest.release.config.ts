import { defineConfig } from 'vitest/config';

/** The release binary's tests: they build dist/quire if it is missing or older than the source. */
export default defineConfig({
  test: {
    include: ['scripts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
