import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'views/**/*.test.ts', 'views/**/*.test.tsx'],
    // a shared 2-core machine: Argon2 hashing and HTML validation can take seconds under load
    testTimeout: 30_000,
  },
});
