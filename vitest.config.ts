import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'views/**/*.test.ts', 'views/**/*.test.tsx'],
    // a PostgreSQL server for the run: QUIRE_TEST_POSTGRES_URL's, or a throwaway cluster (src/test-support/postgres-cluster.ts)
    globalSetup: ['src/test-support/postgres-global-setup.ts'],
    // a shared 2-core machine: Argon2 hashing and HTML validation can take seconds under load
    testTimeout: 30_000,
  },
});
