/*
 * What differs between the two engines, behind one small module.
 *
 * Feature code (queries, use cases, sessions, the cache, feeds, the sitemap, search) is written once
 * against Drizzle's query builder and typed with the SQLite types (`Db`, src/db/client.ts). On
 * SQLite `db` is a better-sqlite3 database; on PostgreSQL it is a drizzle-orm/node-postgres one
 * behind the same type. So feature code uses only what both builders have, always awaits (a query
 * is a promise on both), and asks this module for the rest:
 *
 * - `engineOf(db)`: 'sqlite' or 'postgres';
 * - `tablesOf(db)`: the tables of this database. Every table and column a query names comes from
 *   here: Drizzle converts values by the column object (a SQLite timestamp column writes a number,
 *   a PostgreSQL timestamptz one a date), so a column of the other schema would write the wrong type;
 * - `readRows`, `readRow`, `runSql`: a drizzle `sql` template run for its rows, its first row, or
 *   nothing. Rows come as the driver gives them: fine for numbers and text, but a timestamp is
 *   read through the builder, whose columns map it;
 * - `preparedQuery(db, key, build)`: a builder query built and prepared once, for hot paths;
 * - `inIdList(db, column, ids)` / `idListValue(db, ids)`: a column in a list of ids, bound as one
 *   parameter (SQLite: a JSON array through json_each; PostgreSQL: an integer array with `= any`);
 *   `idListTable(db, ids, alias)`: the list as a table, to read something per id by key;
 * - `greatest(db, a, b)`: the larger of two values (SQLite's two-argument max());
 * - `violatesUniqueIndex(error, index)`: whether a write was refused by that unique index;
 * - `closeDatabase(db)`: the process is done with the database.
 *
 * Never in feature code: `.get()`, `.all()`, `.run()`, `.values()` (better-sqlite3's synchronous
 * builder methods), `db.get/all/run/values(sql)`, or `$client`. `npm run typecheck` refuses them in
 * src/ and views/ outside src/db/ and src/ops/ (scripts/engine-neutral.ts). SQL that only one
 * engine has (FTS5, json_each) lives here or in a feature module chosen by `engineOf` (src/search/).
 *
 * The PostgreSQL branches are written against drizzle-orm/node-postgres's API (`db.execute(sql)`
 * answers `{ rows }`; builders `.prepare(name)`; `db.$client` is the pg Pool) and are exercised
 * once that engine is wired (src/db/postgres.ts).
 */
import { is, sql, type Placeholder, type Query, type SQL, type SQLWrapper } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core/dialect';
import { SQLiteDialect } from 'drizzle-orm/sqlite-core/dialect';
import type { Db } from './client';
import type * as schema from './schema';
import { SqliteRunner, type SqliteStatement } from './sqlite-runner';
import { idle, isBusy } from './transaction';

export type Engine = 'sqlite' | 'postgres';

/** Every table of a database, as the SQLite schema module types them. */
export type Tables = typeof schema;

/** The viewer id bound into prepared queries for an anonymous reader: no user has id -1, so its flags are all off. */
export const ANONYMOUS_VIEWER = -1;

/** The parts of a drizzle-orm/node-postgres database this module uses (pg is not a dependency of this file). */
type PostgresDb = {
  execute(query: SQL): Promise<{ rows: unknown[] }>;
  $client: { end(): Promise<void> };
  _: { session: object };
};

const dialectOf = (db: Db): unknown => (db as unknown as { dialect: unknown }).dialect;
const asPostgres = (db: Db) => db as unknown as PostgresDb;

/** Which engine `db` (a database or a transaction's handle) runs on. */
export function engineOf(db: Db): Engine {
  const dialect = dialectOf(db);
  // SQLite first: its check is an instanceof, the PostgreSQL one then costs nothing on SQLite
  if (is(dialect, SQLiteDialect)) return 'sqlite';
  if (is(dialect, PgDialect)) return 'postgres';
  throw new Error('engineOf: not a Drizzle SQLite or PostgreSQL database');
}

/** The tables of this database: the SQLite schema on SQLite, the PostgreSQL one on PostgreSQL. */
export function tablesOf(db: Db): Tables {
  return db._.fullSchema;
}

/*
 * On SQLite, every function below that runs a statement first waits while another caller's
 * transaction is open on the connection (src/db/transaction.ts), checking right before the
 * statement runs: a function that awaits between its statements cannot have one of them join
 * another request's transaction or read its uncommitted rows.
 */

/** Runs `query` and answers every row, as objects keyed by the names the SQL gives its columns. */
export async function readRows<T>(db: Db, query: SQL): Promise<T[]> {
  if (isBusy(db)) await idle(db);
  if (engineOf(db) === 'postgres') return (await asPostgres(db).execute(query)).rows as T[];
  return db.all<T>(query);
}

/** Runs `query` and answers its first row, or undefined when it has none. */
export async function readRow<T>(db: Db, query: SQL): Promise<T | undefined> {
  if (isBusy(db)) await idle(db);
  if (engineOf(db) === 'postgres') return (await asPostgres(db).execute(query)).rows[0] as T | undefined;
  return db.get<T>(query) ?? undefined;
}

/** Runs `query` (a write, or anything whose rows are not wanted). */
export async function runSql(db: Db, query: SQL): Promise<void> {
  if (isBusy(db)) await idle(db);
  if (engineOf(db) === 'postgres') await asPostgres(db).execute(query);
  else db.run(query);
}

/** Values for a prepared query's `sql.placeholder(name)`s, by name. */
export type Params = Record<string, unknown>;


/** A builder query that can be prepared: a select, insert, update or delete not yet run. */
type Preparable = PromiseLike<unknown> & { prepare(): unknown };

type RowOf<R> = R extends ReadonlyArray<infer Row> ? Row : never;

/**
 * A query prepared once (see preparedQuery). On SQLite each method runs the statement before its
 * promise is returned unless another caller's transaction is open (then once it has ended), so
 * reads made one after another with no await between them see the same state.
 */
export interface PreparedQuery<R> {
  /** every row of a select (or of a write's `returning`) */
  rows(params?: Params): Promise<R>;
  /** the first row, or undefined */
  row(params?: Params): Promise<RowOf<R> | undefined>;
  /**
   * The first row at once when the engine can read it without waiting (SQLite, with no other
   * caller's transaction open), else a promise of it. Only for a read so hot that a promise costs
   * more than the read: the cache's version check of every cached page (src/cache/versions.ts).
   */
  rowAtOnce(params?: Params): RowOf<R> | undefined | Promise<RowOf<R> | undefined>;
  /** runs it for its effect (a write with no `returning`) */
  execute(params?: Params): Promise<void>;
  /** its SQL and parameters, placeholders unfilled (EXPLAIN in tests) */
  getQuery(): Query;
}

/** A statement of the connection, run for one handle (the database, or a transaction's). */
class SqlitePreparedQuery<R> implements PreparedQuery<R> {
  private readonly runner: Pick<SqliteStatement, 'all' | 'get' | 'run'>;

  constructor(
    private readonly query: SqliteStatement,
    private readonly db: Db,
    runner: SqliteRunner | null,
  ) {
    this.runner = runner ?? query;
  }
  async rows(params?: Params): Promise<R> {
    if (isBusy(this.db)) await idle(this.db);
    return this.runner.all(params) as R;
  }
  async row(params?: Params): Promise<RowOf<R> | undefined> {
    if (isBusy(this.db)) await idle(this.db);
    return this.runner.get(params) as RowOf<R> | undefined;
  }
  rowAtOnce(params?: Params): RowOf<R> | undefined | Promise<RowOf<R> | undefined> {
    if (isBusy(this.db)) return this.row(params);
    return this.runner.get(params) as RowOf<R> | undefined;
  }
  async execute(params?: Params): Promise<void> {
    if (isBusy(this.db)) await idle(this.db);
    this.runner.run(params);
  }
  getQuery(): Query {
    return this.query.getQuery();
  }
}

type PostgresStatement = { execute(params?: Params): Promise<unknown>; getQuery(): Query };

class PostgresPreparedQuery<R> implements PreparedQuery<R> {
  constructor(private readonly query: PostgresStatement) {}
  async rows(params?: Params): Promise<R> {
    return (await this.query.execute(params)) as R;
  }
  async row(params?: Params): Promise<RowOf<R> | undefined> {
    return ((await this.query.execute(params)) as unknown[])[0] as RowOf<R> | undefined;
  }
  rowAtOnce(params?: Params): Promise<RowOf<R> | undefined> {
    return this.row(params);
  }
  async execute(params?: Params): Promise<void> {
    await this.query.execute(params);
  }
  getQuery(): Query {
    return this.query.getQuery();
  }
}

/**
 * Drizzle's prepared queries, kept per connection on SQLite (the database and its transactions'
 * handles share them), per Drizzle session on PostgreSQL (the pool's, or one transaction's: a
 * query prepared on the pool would run outside the transaction). Keyed by object, so every test
 * database gets its own.
 */
const statements = new WeakMap<object, Map<string, unknown>>();
/** What preparedQuery answers, per handle: on SQLite it knows whose turn it is on the connection. */
const queries = new WeakMap<Db, Map<string, PreparedQuery<unknown>>>();

function entries<V>(map: WeakMap<object, Map<string, V>>, owner: object): Map<string, V> {
  let entries = map.get(owner);
  if (!entries) {
    entries = new Map();
    map.set(owner, entries);
  }
  return entries;
}

/** PostgreSQL names prepared statements with at most 63 bytes; longer keys keep a hash of the rest. */
function statementName(key: string): string {
  if (key.length <= 63) return key;
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return `${key.slice(0, 54)}~${(hash >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * A query built by `build` and prepared once, then reused: what a hot path runs. Building a
 * Drizzle query (its SQL text, its row mapping) costs more than running it on SQLite. On SQLite it
 * is prepared once per connection and run by a SqliteRunner (src/db/sqlite-runner.ts) on a
 * statement of its own, kept for the connection's life like every statement
 * (src/db/statements.ts); on PostgreSQL it is a named prepared statement (`key` is its name, so
 * the server parses and plans it once per connection), prepared per pool or per transaction.
 *
 * `key` names one query text: every call with a key must build the same SQL (values that vary are
 * `sql.placeholder(name)`s, given to rows/row/execute). `build` builds it on `db` from `tables`.
 */
export function preparedQuery<Q extends Preparable>(db: Db, key: string, build: (tables: Tables) => Q): PreparedQuery<Awaited<Q>> {
  const mine = entries(queries, db);
  const known = mine.get(key);
  if (known !== undefined) return known as PreparedQuery<Awaited<Q>>;
  let query: PreparedQuery<Awaited<Q>>;
  if (engineOf(db) === 'postgres') {
    const session = asPostgres(db)._.session;
    const prepare = () => (build(tablesOf(db)) as unknown as { prepare(name: string): PostgresStatement }).prepare(statementName(key));
    query = new PostgresPreparedQuery(cached(session, key, prepare));
  } else {
    const prepared = cached(db.$client, key, () => {
      const statement = build(tablesOf(db)).prepare() as SqliteStatement;
      return { statement, runner: SqliteRunner.compile(db.$client, key, statement) };
    });
    query = new SqlitePreparedQuery(prepared.statement, db, prepared.runner);
  }
  mine.set(key, query as PreparedQuery<unknown>);
  return query;
}

function cached<T>(owner: object, key: string, prepare: () => T): T {
  const kept = entries(statements, owner);
  let statement = kept.get(key) as T | undefined;
  if (statement === undefined) {
    statement = prepare();
    kept.set(key, statement);
  }
  return statement;
}

/**
 * The value to bind to a placeholder that `inIdList` compares with: a JSON array on SQLite
 * (json_each reads it), the array itself on PostgreSQL (node-postgres sends it as an array).
 */
export function idListValue(db: Db, ids: readonly number[]): unknown {
  return engineOf(db) === 'postgres' ? ids : JSON.stringify(ids);
}

/**
 * `column` is one of `ids`, bound as one parameter whatever their number (so a prepared query
 * serves every list): the ids themselves, or a placeholder given `idListValue(db, ids)`.
 */
export function inIdList(db: Db, column: SQLWrapper, ids: readonly number[] | Placeholder): SQL {
  const bound = Array.isArray(ids) ? sql.param(idListValue(db, ids)) : (ids as Placeholder);
  return engineOf(db) === 'postgres' ? sql`${column} = any(${bound})` : sql`${column} in (select value from json_each(${bound}))`;
}

/**
 * The ids as a table named `alias` with one column, `value` (SQLite: json_each; PostgreSQL: unnest),
 * for a query that reads something per id by key: `select ... from ${idListTable(...)} where
 * exists(... = alias.value)` reads each id's row from an index, where `in (...)` would first build
 * a temporary index of the list (3 µs more on SQLite for a page's viewer flags).
 */
export function idListTable(db: Db, ids: readonly number[] | Placeholder, alias: string): SQL {
  const bound = Array.isArray(ids) ? sql.param(idListValue(db, ids)) : (ids as Placeholder);
  return engineOf(db) === 'postgres'
    ? sql`unnest(${bound}::integer[]) as ${sql.identifier(alias)}(value)`
    : sql`json_each(${bound}) as ${sql.identifier(alias)}`;
}

/** The larger of two values: SQLite's max(a, b), PostgreSQL's greatest(a, b) (neither is null here). */
export function greatest<T>(db: Db, a: SQLWrapper, b: SQLWrapper): SQL<T> {
  return engineOf(db) === 'postgres' ? sql<T>`greatest(${a}, ${b})` : sql<T>`max(${a}, ${b})`;
}

/**
 * Whether `error` (or what it wraps: Drizzle wraps the driver's error) is a write refused by the
 * unique index or constraint named `index`.
 */
export function violatesUniqueIndex(error: unknown, index: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    // SQLite: "UNIQUE constraint failed: index 'users_email_lower_unique'"
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message.includes(index)) return true;
    // PostgreSQL: unique_violation, with the index's name in the error's constraint field
    if (code === '23505' && constraint === index) return true;
  }
  return false;
}

/**
 * The process is done with the database. On SQLite `checkpoint` first folds the write-ahead log
 * into the file (a stopping server leaves one file behind); on PostgreSQL the pool is ended.
 */
export async function closeDatabase(db: Db, options: { checkpoint?: boolean } = {}): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await asPostgres(db).$client.end();
    return;
  }
  if (options.checkpoint) db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
}
