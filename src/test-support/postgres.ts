/*
 * Test databases on PostgreSQL (QUIRE_TEST_ENGINE=postgres), for createTestDb().
 *
 * To come (issue #15): a template database migrated once per run, then per call
 * `CREATE DATABASE <fresh> TEMPLATE <template>` on the server at `serverUrl`, opened as a Drizzle
 * node-postgres instance behind the `Db` type, and every database made this way dropped when the
 * run ends.
 */
import type { Db } from '../db/client';

export async function createPostgresTestDb(serverUrl: string): Promise<Db> {
  void serverUrl;
  throw new Error(
    'QUIRE_TEST_ENGINE=postgres is not available yet: createPostgresTestDb() (src/test-support/postgres.ts) is still to be written (issue #15). Run the tests on SQLite (the default).',
  );
}
