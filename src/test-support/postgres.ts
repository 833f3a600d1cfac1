/**
 * Fresh PostgreSQL databases for tests, as createTestDb() makes fresh SQLite ones: the real
 * migrations run once per test run into a template database, and each call copies it
 * (`CREATE DATABASE ... TEMPLATE`, a file copy: about 12 ms) and opens it with openPostgres().
 *
 * The server is the run's (src/test-support/postgres-global-setup.ts: QUIRE_TEST_POSTGRES_URL, or
 * a throwaway cluster). The template is made by whichever vitest worker asks first, under an
 * advisory lock, migrated under a temporary name and renamed into place, so no worker ever copies
 * a half-migrated one. A database made inside a test is closed and dropped when that test
 * finishes; any other (made in beforeAll, or outside vitest) when the run ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import type { Db } from '../db/client';
import { closePostgres, openPostgres, type PgDb } from '../db/postgres';
import { databaseUrl, testDatabasePrefix } from './postgres-cluster';

export { databaseUrl };

/** Held on the server's `postgres` database while the run's template is made. */
const TEMPLATE_LOCK_KEY = 0x5155_4953;
/** Connections per test database: a test's requests rarely overlap more than this. */
const TEST_POOL_SIZE = 4;

export type PostgresTestDbTimings = { template: number | null; create: number };

function provided<K extends 'postgresUrl' | 'postgresRunId'>(key: K): string | undefined {
  try {
    return inject(key);
  } catch {
    return undefined; // outside a vitest worker
  }
}

const ownRunId = randomBytes(4).toString('hex');

/** The run's PostgreSQL server (its `postgres` database). */
export function postgresServerUrl(): string {
  const url = process.env.QUIRE_TEST_POSTGRES_URL ?? provided('postgresUrl');
  if (!url) throw new Error('No PostgreSQL server for the tests: vitest.config.ts globalSetup starts one, or set QUIRE_TEST_POSTGRES_URL');
  return url;
}

const runId = () => process.env.QUIRE_TEST_RUN_ID ?? provided('postgresRunId') ?? ownRunId;


let admin: pg.Pool | null = null;
let template: Promise<string> | null = null;
let made = 0;
let timings: PostgresTestDbTimings = { template: null, create: 0 };

/** How long the last createPostgresTestDb() spent making the template (null: it was there) and copying it, in ms. */
export function lastPostgresTestDbTimings(): PostgresTestDbTimings {
  return timings;
}

const nextName = () => `${testDatabasePrefix(runId())}${process.pid}_${++made}`;

/** A small pool on the server's `postgres` database, for CREATE and DROP DATABASE. */
function adminPool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: postgresServerUrl(), max: 2, allowExitOnIdle: true, idleTimeoutMillis: 1000 });
  return admin;
}

async function makeTemplate(): Promise<string> {
  const prefix = testDatabasePrefix(runId());
  const name = `${prefix}template`;
  const client = await adminPool().connect();
  try {
    await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${prefix}building_${process.pid}`;
        await client.query(`drop database if exists ${client.escapeIdentifier(building)}`);
        await client.query(`create database ${client.escapeIdentifier(building)}`);
        const db = await openPostgres(databaseUrl(postgresServerUrl(), building), { max: 1 });
        await closePostgres(db);
        await client.query(`alter database ${client.escapeIdentifier(building)} rename to ${client.escapeIdentifier(name)}`);
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return name;
}

/** Closes `db` (if any) and drops its database. */
async function dropDatabase(name: string, db?: PgDb): Promise<void> {
  const started = performance.now();
  if (db) await closePostgres(db);
  await adminPool().query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  if (process.env.QUIRE_TEST_TIMINGS) process.stderr.write(`[postgres] ${name}: closed and dropped in ${Math.round(performance.now() - started)} ms\n`);
}

/** Drops `name` when the current test finishes; outside a test, the run's end drops it. */
function dropAfterTest(name: string, db?: PgDb): void {
  try {
    onTestFinished(() => dropDatabase(name, db));
  } catch {
    // not inside a test
  }
}

/** An empty database (no migrations), for tests of migrating itself: its URL. */
export async function createEmptyPostgresDatabase(): Promise<string> {
  const name = nextName();
  await adminPool().query(`create database ${pg.escapeIdentifier(name)}`);
  dropAfterTest(name);
  return databaseUrl(postgresServerUrl(), name);
}

/** A fresh, migrated PostgreSQL database of its own (see the top of this file). */
export async function createPostgresTestDb(): Promise<PgDb> {
  const started = performance.now();
  let templateMs: number | null = null;
  if (!template) {
    template = makeTemplate();
    void template.catch(() => (template = null)); // the next call tries again
    await template;
    templateMs = performance.now() - started;
  }
  const source = await template;
  const copyStarted = performance.now();
  const name = nextName();
  // FILE_COPY: 12 ms for the migrated template, where WAL_LOG (PostgreSQL 15's default) took 40
  await adminPool().query(`create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(source)} strategy file_copy`);
  const db = await openPostgres(databaseUrl(postgresServerUrl(), name), {
    migrate: false,
    max: TEST_POOL_SIZE,
    pool: { allowExitOnIdle: true, idleTimeoutMillis: 1000 },
  });
  timings = { template: templateMs, create: performance.now() - copyStarted };
  if (process.env.QUIRE_TEST_TIMINGS) {
    process.stderr.write(`[postgres] ${name}: ${templateMs === null ? '' : `template ${Math.round(templateMs)} ms, `}create and open ${Math.round(timings.create)} ms\n`);
  }
  dropAfterTest(name, db);
  return db;
}

/** The URL of a database createPostgresTestDb() made, for a process of its own (the CLI) to open. */
export function postgresTestDbUrl(db: Db): string {
  return asPg(db).$client.options.connectionString!;
}

/**
 * Closes the database's pool, as a test does to make every later query fail (the app's error
 * pages, /healthz); the database itself is dropped when the test finishes.
 */
export async function closePostgresTestDb(db: Db): Promise<void> {
  await closePostgres(asPg(db));
}

/** What a query on a closed pool fails with (pg-pool's words), inside Drizzle's "Failed query" error. */
export const CLOSED_POSTGRES_MESSAGE = 'Cannot use a pool after calling end on the pool';

type Query = (...args: unknown[]) => unknown;

/**
 * How many SQL statements `db`'s pool runs during `fn`, not counting the cache's read of its
 * versions, nor the statements that frame a transaction (BEGIN, COMMIT, the writer lock), which
 * SQLite's count does not see either. Counted on each connection the pool hands out (its
 * 'acquire' event comes before the connection is given to anyone): that covers pool.query(), which
 * checks a connection out with a callback, and pool.connect() alike, each statement once.
 */
export async function countPostgresQueries(db: Db, fn: () => Promise<unknown>): Promise<number> {
  const pool = asPg(db).$client;
  let queries = 0;
  const counted = (query: Query): Query =>
    function (this: unknown, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
      if (!/from "?cache_versions|^(begin|commit|rollback)\b|pg_advisory_(un)?lock/i.test(text.trim())) queries++;
      return query.apply(this, args);
    };
  const wrapped = new Map<pg.PoolClient, Query>();
  const onAcquire = (client: pg.PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.set(client, client.query as Query);
    client.query = counted(client.query as Query) as typeof client.query;
  };
  pool.on('acquire', onAcquire);
  try {
    await fn();
  } finally {
    pool.off('acquire', onAcquire);
    for (const [client, original] of wrapped) client.query = original as typeof client.query;
  }
  return queries;
}

const asPg = (db: Db) => db as unknown as PgDb;
