import { configDefaults, defineConfig } from 'vitest/config';
import type { TestEngine } from './src/test-support/db';

/**
 * Tests about SQLite itself, left out of the PostgreSQL project: every other test reads and writes
 * through createTestDb() and engine-neutral queries.
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

/**
 * Tests of PostgreSQL itself (they make their databases with createPostgresTestDb() or name the
 * engine), left out of the SQLite project: whatever the project, they would run the same tests
 * again on the same server.
 */
export const POSTGRES_ONLY = [
  'src/db/postgres.test.ts', // openPostgres(), pgTransaction's writer lock and retries, migrating under the advisory lock
  'src/search/postgres-search.test.ts', // tsvector, GIN and ts_rank: the PostgreSQL search engine on its own
  'src/test-support/postgres-cluster.test.ts', // the throwaway cluster the tests run on
];

/**
 * `vitest run` runs every test on both engines, as two projects (each line of the output starts
 * with its name): `sqlite` (in memory) and `postgres` (a database per createTestDb() call, copied
 * from a migrated template, on the run's throwaway cluster). `vitest run --project sqlite` runs
 * one. The engine reaches the tests as QUIRE_TEST_ENGINE (src/test-support/db.ts testEngine()).
 */
const engineProject = (engine: TestEngine, leftOut: string[]) => ({
  extends: true as const,
  test: {
    name: engine,
    env: { QUIRE_TEST_ENGINE: engine },
    exclude: [...configDefaults.exclude, ...leftOut],
  },
});

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'views/**/*.test.ts', 'views/**/*.test.tsx'],
    // a PostgreSQL server for the run, shared by both projects: QUIRE_TEST_POSTGRES_URL's, or a
    // throwaway cluster (src/test-support/postgres-cluster.ts), stopped when the run ends
    globalSetup: ['src/test-support/postgres-global-setup.ts'],
    projects: [engineProject('sqlite', POSTGRES_ONLY), engineProject('postgres', SQLITE_ONLY)],
    // a shared 2-core machine: Argon2 hashing and HTML validation can take seconds under load
    testTimeout: 30_000,
  },
});
