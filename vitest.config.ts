import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests about SQLite itself, left out when the suite runs on PostgreSQL (QUIRE_TEST_ENGINE=postgres):
 * every other test reads and writes through createTestDb() and engine-neutral queries.
 */
export const SQLITE_ONLY = [
  'src/db/client.test.ts', // openDatabase()'s pragmas (SQLite's page cache)
  'src/db/statements.test.ts', // better-sqlite3's statement cache: retainStatements(), prepared() per connection
  'src/db/transaction.test.ts', // transaction()/idle()/isBusy() on one better-sqlite3 connection (BEGIN IMMEDIATE, the gate)
  'src/ops/backup.test.ts', // SQLite's online backup API, integrity_check, restoring a file
  'src/ops/backup-under-writes.test.ts', // the same backup while the file is written
  'src/ops/scheduled-backups.test.ts', // scheduled backups of a SQLite file, verified as files
  'src/articles/query-plans.test.ts', // SQLite's EXPLAIN QUERY PLAN and its index names
  'src/articles/favorites-migration.test.ts', // a SQLite migration (favorites_count counted from the rows already there)
  'src/search/fts5.test.ts', // FTS5's plan, and a count set up by writing articles_fts directly
  'src/cli.test.ts', // quire on a SQLite file (DATABASE_PATH): user commands, backup and restore, serve and its lock
];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'views/**/*.test.ts', 'views/**/*.test.tsx'],
    // a PostgreSQL server for the run: QUIRE_TEST_POSTGRES_URL's, or a throwaway cluster (src/test-support/postgres-cluster.ts)
    globalSetup: ['src/test-support/postgres-global-setup.ts'],
    exclude: process.env.QUIRE_TEST_ENGINE === 'postgres' ? [...configDefaults.exclude, ...SQLITE_ONLY] : configDefaults.exclude,
    // a shared 2-core machine: Argon2 hashing and HTML validation can take seconds under load
    testTimeout: 30_000,
  },
});
