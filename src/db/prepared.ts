/**
 * Statements prepared once per database and reused: building a query with Drizzle and preparing
 * it in SQLite costs more than running it. Keyed by the connection, so every test database gets
 * its own.
 */
const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: { $client: object }, key: string, prepare: () => T): T {
  let statements = cache.get(db.$client);
  if (!statements) {
    statements = new Map();
    cache.set(db.$client, statements);
  }
  let statement = statements.get(key) as T | undefined;
  if (statement === undefined) {
    statement = prepare();
    statements.set(key, statement);
  }
  return statement;
}

/** The viewer id bound into prepared statements: no user has id -1, so its flags are all 0. */
export const ANONYMOUS_VIEWER = -1;
