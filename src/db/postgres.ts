/*
 * PostgreSQL through node-postgres (`pg`) and Drizzle: the engine behind DATABASE_URL=postgres://...
 * (issue #15). What client.ts and transaction.ts are for SQLite:
 *
 * - `openPostgres(url)` makes a pool, refuses a database migrated by a newer Quire, applies
 *   drizzle/pg's migrations under an advisory lock (nodes starting together migrate once), and
 *   returns a Drizzle database over the pool with the PostgreSQL schema (`db._.fullSchema`).
 * - `pgTransaction(db, work)` runs `work` at SERIALIZABLE, so use cases keep the meaning SQLite's one
 *   writer at a time gives them; a transaction PostgreSQL aborts as a serialization failure (40001)
 *   or a deadlock (40P01) is run again, a few times, after a jittered wait.
 * - `pgAnswers(db)` is /healthz: a real `select 1` within a short time.
 *
 * int8 (count(*), sum(), bigint columns) comes back as a number, as SQLite's integers do, parsed by
 * this pool's own types: nothing global changes for another pool or library in the process.
 */
import { is, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { runtime } from '../runtime';
import { DatabaseTooNewError } from './client';
import * as pgSchema from './schema.pg';

export type PgSchema = typeof pgSchema;
export type PgDb = NodePgDatabase<PgSchema> & { $client: pg.Pool };
/** A transaction's handle, as Drizzle hands it to `pgTransaction`'s work. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

export type PostgresOptions = {
  /** connections in the pool (default 10) */
  max?: number;
  /** apply drizzle/pg's migrations first (default true) */
  migrate?: boolean;
  /** default: runtime().pgMigrationsFolder (drizzle/pg from source, extracted by the binary) */
  migrationsFolder?: string;
  /** an idle connection failed (the server restarted, the network dropped): the pool replaces it */
  onError?: (error: Error) => void;
  /** anything else node-postgres' pool takes (`allowExitOnIdle`, `idleTimeoutMillis`, ssl...) */
  pool?: pg.PoolConfig;
};

export const POOL_SIZE = 10;
/** How long a query waits for a connection (a new one, or a free one in a busy pool). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** /healthz's `select 1`: a node slower than this is better taken out by the load balancer. */
export const HEALTH_TIMEOUT_MS = 2_000;
/** `pg_advisory_lock` key held while migrating: one node migrates, the others wait, then find nothing to do. */
export const MIGRATION_LOCK_KEY = 0x5155_4952; // "QUIR"
/**
 * `pg_advisory_lock` key every transaction of `pgTransaction` holds: one writer at a time, on every
 * node, as on SQLite. Every write to a page moves the one cache_versions row, so two writers at once
 * always collided there: at SERIALIZABLE, 10 comment transactions at a time needed 1.91 attempts
 * each and 3 of 600 gave up after 10; taking turns, 1.00 attempts and 491 against 456 a second.
 */
export const WRITER_LOCK_KEY = 0x5155_4957; // "QUIW"
/** Attempts of a transaction aborted by a serialization failure or deadlock, and the wait between. */
export const TRANSACTION_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 2;
const BACKOFF_MAX_MS = 100;

const INT8_OID = 20;

function parseInt8(value: string): number {
  const number = Number(value);
  // ids and counts stay far below 2^53; a larger value read as a number would be silently wrong
  if (!Number.isSafeInteger(number)) throw new RangeError(`int8 value ${value} does not fit a JavaScript number`);
  return number;
}

type TypeParsers = { getTypeParser(oid: number, format?: string): unknown };

/** This pool's parsers in front of `fallback` (text format, which is what node-postgres asks for). */
function withOwnParsers(fallback: TypeParsers): TypeParsers {
  return {
    getTypeParser: (oid: number, format?: string) =>
      oid === INT8_OID && format !== 'binary' ? parseInt8 : fallback.getTypeParser(oid, format),
  };
}

const POOL_TYPES = withOwnParsers(pg.types as TypeParsers);

type QueryConfigWithTypes = { types?: TypeParsers; submit?: unknown };

/**
 * The pool's connections. Drizzle gives every query its own `types` (to read dates as text), and a
 * query's `types` replaces the client's, falling back to pg's global parsers: so the pool's `types`
 * alone would never reach a Drizzle query. Each query's parsers get this pool's in front.
 */
class QuireClient extends pg.Client {
  override query(...args: unknown[]): never {
    const config = args[0] as QueryConfigWithTypes | string | null | undefined;
    if (config && typeof config === 'object' && typeof config.submit !== 'function' && config.types) {
      args[0] = { ...config, types: withOwnParsers(config.types) };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** Opens a pool on `url`, migrates (unless told not to) and returns the Drizzle database over it. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PgDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'quire',
    ...options.pool,
    types: POOL_TYPES,
    Client: QuireClient,
  });
  // without a listener, an idle connection's error (a server restart) would end the process
  pool.on('error', options.onError ?? (() => {}));
  try {
    if (options.migrate !== false) await migratePostgres(pool, options.migrationsFolder ?? runtime().pgMigrationsFolder);
    return drizzle({ client: pool, schema: pgSchema }) as PgDb;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Ends the pool: waits for checked-out connections to come back, closes them all. Once is enough. */
export async function closePostgres(db: PgDb): Promise<void> {
  if (!db.$client.ended) await db.$client.end();
}

/**
 * Applies the migrations in `migrationsFolder` under a session advisory lock, on one connection:
 * several nodes starting at once queue on the lock, the first migrates, the others then find every
 * migration applied. A connection that dies releases the lock with it.
 */
export async function migratePostgres(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await assertKnownPgMigrations(client, migrationsFolder);
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // a connection that failed is closed rather than handed to the next query
    client.release(failure);
  }
}

/** Refuses a database holding migrations this build does not know (a newer Quire migrated it). */
async function assertKnownPgMigrations(client: pg.PoolClient, migrationsFolder: string): Promise<void> {
  const { rows } = await client.query<{ table: string | null }>(`select to_regclass('drizzle.__drizzle_migrations')::text as "table"`);
  if (!rows[0]?.table) return;
  const known = new Set(readMigrationFiles({ migrationsFolder }).map((migration) => migration.hash));
  const applied = await client.query<{ hash: string }>('select hash from drizzle.__drizzle_migrations');
  const unknown = applied.rows.filter((row) => !known.has(row.hash));
  if (unknown.length > 0) {
    throw new DatabaseTooNewError(
      `This database was migrated by a newer version of Quire (${unknown.length} unknown migration${unknown.length === 1 ? '' : 's'}). ` +
        'Run that version, or restore a backup taken before the upgrade.',
    );
  }
}

/** PostgreSQL's SQLSTATE for an error, through Drizzle's wrapping (DrizzleQueryError.cause). */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** A serialization failure or a deadlock: the transaction did nothing, and running it again may succeed. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Drizzle database over one checked-out connection, made once per connection of the pool. */
const onConnection = new WeakMap<pg.PoolClient, PgDb>();

function drizzleOn(client: pg.PoolClient): PgDb {
  let db = onConnection.get(client);
  if (!db) {
    db = drizzle({ client, schema: pgSchema }) as unknown as PgDb;
    onConnection.set(client, db);
  }
  return db;
}

/**
 * Runs `work` in one SERIALIZABLE transaction, one writer at a time: committed when it resolves,
 * rolled back when it throws.
 *
 * The connection takes WRITER_LOCK_KEY before BEGIN, so the transaction's snapshot is taken after
 * the previous writer committed (a lock taken inside would come after the snapshot, and every
 * writer would collide with the one before it). Writers made outside this helper (a single
 * statement) can still collide with it: aborted as a serialization failure or deadlock, it runs
 * again (up to TRANSACTION_ATTEMPTS in all, after a wait drawn at random below 2, 4, 8... ms, capped
 * at 100), so `work` must have no effect outside the database it could not repeat. Given a
 * transaction's handle, `work` joins it (its retries are the outer transaction's).
 */
export async function pgTransaction<T>(db: PgDb | PgTx, work: (tx: PgTx) => Promise<T>): Promise<T> {
  if (is(db, PgTransaction)) return work(db as PgTx);
  const pool = (db as PgDb).$client;
  for (let attempt = 1; ; attempt++) {
    try {
      return await asTheWriter(pool, (connection) => connection.transaction(work, { isolationLevel: 'serializable' }));
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
      await sleep(Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt));
    }
  }
}

/** Runs `work` on one connection of `pool` while it holds the writer lock. */
async function asTheWriter<T>(pool: pg.Pool, work: (connection: PgDb) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [WRITER_LOCK_KEY]);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  let broken: Error | undefined;
  try {
    return await work(drizzleOn(client));
  } finally {
    // a connection that cannot unlock may still hold the lock: it is ended, which releases it
    await client.query('select pg_advisory_unlock($1)', [WRITER_LOCK_KEY]).catch((error: Error) => (broken = error));
    client.release(broken);
  }
}

/** Whether the server answers a real query within `timeoutMs`: what /healthz reports on PostgreSQL. */
export async function pgAnswers(db: PgDb, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
  const answer = db
    .execute(sql`select 1 as "one"`)
    .then((result) => result.rows[0]?.one === 1)
    .catch(() => false);
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` if no other node is running the job `lockKey` names, holding a session advisory lock
 * on one connection for its length; resolves `{ ran: false }` at once when another node holds it.
 * A node that dies mid-job drops its connection, and the lock with it.
 */
export async function pgOnOneNode<T>(db: PgDb, lockKey: number, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await db.$client.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [lockKey]);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, value: await work() };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [lockKey]).catch((error: Error) => (broken = error));
    }
  } catch (error) {
    broken ??= error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
