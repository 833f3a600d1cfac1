/*
 * Test databases on PostgreSQL (QUIRE_TEST_ENGINE=postgres), for src/test-support/index.ts.
 *
 * To come (issue #15): a template database migrated once per run; per createPostgresTestDb() call
 * `CREATE DATABASE <fresh> TEMPLATE <template>` on the server at `serverUrl`, opened as a Drizzle
 * node-postgres instance behind the `Db` type; every database made this way dropped when the run
 * ends. Until then each function here refuses with the same message, and the SQLite tests run.
 */
import type { Db } from '../db/client';

function notYet(name: string): Error {
  return new Error(
    `QUIRE_TEST_ENGINE=postgres is not available yet: ${name}() in src/test-support/postgres.ts is still to be written (issue #15). ` +
      'Run the tests on SQLite (the default).',
  );
}

/** A fresh, migrated database of its own on the server at `serverUrl` (a copy of the run's template). */
export async function createPostgresTestDb(serverUrl: string): Promise<Db> {
  void serverUrl;
  throw notYet('createPostgresTestDb');
}

/** The URL of a database createPostgresTestDb() made, for a process of its own (the CLI) to open. */
export function postgresTestDbUrl(db: Db): string {
  void db;
  throw notYet('postgresTestDbUrl');
}

/**
 * Closes the database's pool, as a test does to make every later query fail (the app's error
 * pages, /healthz); the database itself is still dropped at the end of the run.
 */
export async function closePostgresTestDb(db: Db): Promise<void> {
  void db;
  throw notYet('closePostgresTestDb');
}

/**
 * What a query on a closed pool fails with (pg-pool's words): the error-page tests look for it in
 * the log. Drizzle wraps it (DrizzleQueryError "Failed query: ...", this message as its `cause`),
 * and the unhandled-error log line holds the stack without the cause: the log line should gain
 * the cause, or this should become the wrapper's words.
 */
export const CLOSED_POSTGRES_MESSAGE = 'Cannot use a pool after calling end on the pool';

/** How many SQL statements `db`'s pool runs during `fn`, not counting the cache's read of its versions. */
export async function countPostgresQueries(db: Db, fn: () => Promise<unknown>): Promise<number> {
  void db;
  void fn;
  throw notYet('countPostgresQueries');
}
