/*
 * Test databases on the engine the tests run on, and engine-neutral looks into them.
 *
 * `QUIRE_TEST_ENGINE` is `sqlite` (the default: in memory, a migrated template copied per
 * database) or `postgres` (a database of its own per call on the server `QUIRE_TEST_POSTGRES_URL`
 * names, made by ./postgres.ts). Tests that go through the front door inspect the database with
 * awaited Drizzle queries or the helpers here, never with better-sqlite3's synchronous calls, so
 * the same tests run on both engines; vitest.config.ts lists the tests about SQLite itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { count, sql, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { openDatabase, wrapDatabase, type Db } from '../db/client';
import { closeDatabase, engineOf } from '../db/engine';
import { openDatabaseFrom } from '../db/open';
import { retainStatements } from '../db/statements';
import {
  closePostgresTestDb,
  CLOSED_POSTGRES_MESSAGE,
  countPostgresQueries,
  createPostgresTestDb,
  postgresTestDbUrl,
} from './postgres';

/**
 * The engine test databases are made on. On PostgreSQL, `QUIRE_TEST_POSTGRES_URL` names a server
 * (`postgres://user@127.0.0.1:5432/postgres`) on which each createTestDb() creates a database.
 */
export type TestEngine = 'sqlite' | 'postgres';

export function testEngine(): TestEngine {
  const engine = process.env.QUIRE_TEST_ENGINE || 'sqlite';
  if (engine !== 'sqlite' && engine !== 'postgres') {
    throw new Error(`QUIRE_TEST_ENGINE must be "sqlite" or "postgres", not ${JSON.stringify(engine)}`);
  }
  return engine;
}


let template: Buffer | null = null;

/** A fresh in-memory database built by the real migrations (run once, then copied per test). */
function createSqliteTestDb(): Db {
  if (!template) {
    const db = openDatabase(':memory:');
    template = db.$client.serialize();
    db.$client.close();
  }
  const sqlite = retainStatements(new Database(template));
  sqlite.pragma('foreign_keys = ON');
  return wrapDatabase(sqlite);
}

/**
 * A fresh database built by the real migrations, on the engine the tests run on: SQLite in memory
 * (the migrated template copied per call), or a database of its own on the PostgreSQL test server.
 */
export async function createTestDb(engine: TestEngine = testEngine()): Promise<Db> {
  if (engine === 'postgres') return (await createPostgresTestDb()) as unknown as Db;
  return createSqliteTestDb();
}

/**
 * A database that processes of their own can open too (the CLI beside the app): a file on SQLite,
 * a database of its own on PostgreSQL. `env` is what such a process is given to find it.
 */
export type SharedTestDb = {
  db: Db;
  /** what a process of its own is given to find the database (DATABASE_URL or DATABASE_PATH) */
  env: Record<string, string>;
  /** another connection to it, opened as another process opens it (src/db/open.ts); closed by close() */
  connect(): Promise<Db>;
  /** closes every connection, and removes the database */
  close(): Promise<void>;
};

export async function createSharedTestDb(engine: TestEngine = testEngine()): Promise<SharedTestDb> {
  const others: Db[] = [];
  const connect = async (env: { DATABASE_PATH: string; DATABASE_URL: string | undefined }) => {
    const other = await openDatabaseFrom(env);
    others.push(other);
    return other;
  };
  const closeOthers = async () => {
    for (const other of others.splice(0)) await closeDatabase(other);
  };
  if (engine === 'postgres') {
    const db = (await createPostgresTestDb()) as unknown as Db;
    const url = postgresTestDbUrl(db);
    return {
      db,
      env: { DATABASE_URL: url },
      connect: () => connect({ DATABASE_PATH: '', DATABASE_URL: url }),
      close: async () => {
        await closeOthers();
        await closePostgresTestDb(db);
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-shared-'));
  const file = path.join(dir, 'quire.db');
  const db = openDatabase(file);
  return {
    db,
    env: { DATABASE_PATH: file },
    connect: () => connect({ DATABASE_PATH: file, DATABASE_URL: undefined }),
    close: async () => {
      await closeOthers();
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Closes a test database, so every later query fails: how tests break the database under the app. */
export async function closeTestDb(db: Db): Promise<void> {
  if (engineOf(db) === 'postgres') return closePostgresTestDb(db);
  db.$client.close();
}

/** What a query on a database closeTestDb() closed fails with, as the log shows it. */
export function closedDatabaseMessage(): string {
  return testEngine() === 'postgres' ? CLOSED_POSTGRES_MESSAGE : 'database connection is not open';
}

/** How many rows `table` holds, or how many of them match `where`. */
export async function rowCount(db: Db, table: SQLiteTable, where?: SQL): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table).where(where);
  return row!.n;
}

/**
 * The rows of raw SQL, for what only raw SQL can say (the database's own catalog): the text may
 * differ per engine (`testEngine()`), the helper does not.
 */
export async function sqlRows(db: Db, query: SQL): Promise<Array<Record<string, unknown>>> {
  if (engineOf(db) === 'postgres') {
    const pg = db as unknown as { execute(query: SQL): Promise<{ rows: Array<Record<string, unknown>> }> };
    return (await pg.execute(query)).rows;
  }
  return db.all<Record<string, unknown>>(query);
}

/** Runs statements of raw SQL, in the test engine's own dialect (fixtures such as triggers). */
export async function runSql(db: Db, text: string): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await (db as unknown as { execute(query: SQL): Promise<unknown> }).execute(sql.raw(text));
    return;
  }
  db.$client.exec(text);
}

/**
 * Every row of every table, as one string: "nothing changed" means this string did not change.
 * On SQLite every table but FTS5's own shadow tables (some have no rowid; articles_fts itself is
 * compared); on PostgreSQL every table of the public schema, rows in a stable order.
 */
export async function snapshotDatabase(db: Db): Promise<string> {
  if (engineOf(db) === 'postgres') {
    const tables = await sqlRows(
      db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const all = [];
    for (const { name } of tables) {
      const rows = await sqlRows(db, sql`select * from ${sql.identifier(String(name))}`);
      all.push([name, rows.map((row) => JSON.stringify(row)).sort()]);
    }
    return JSON.stringify(all);
  }
  const sqlite = db.$client;
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'articles_fts_%' order by name")
    .pluck()
    .all() as string[];
  return JSON.stringify(tables.map((name) => [name, sqlite.prepare(`select * from "${name}" order by rowid`).all()]));
}

/**
 * How many SQL statements run during `fn`: counts executions on better-sqlite3's statements
 * (prepared statements are reused, so counting prepare() would miss them).
 */
export async function countQueries(t: { db: Db }, fn: () => Promise<unknown>): Promise<number> {
  if (engineOf(t.db) === 'postgres') return countPostgresQueries(t.db, fn);
  const proto = Object.getPrototypeOf(t.db.$client.prepare('select 1')) as Record<string, unknown>;
  const methods = ['all', 'get', 'run', 'iterate'] as const;
  const originals = methods.map((name) => proto[name] as (...args: unknown[]) => unknown);
  let queries = 0;
  methods.forEach((name, i) => {
    proto[name] = function (this: { source?: string }, ...args: unknown[]) {
      // the cache's check of its versions (src/cache/versions.ts) is not a read of content
      if (!this.source?.includes('cache_versions')) queries++;
      return originals[i]!.apply(this, args);
    };
  });
  try {
    await fn();
  } finally {
    methods.forEach((name, i) => (proto[name] = originals[i]));
  }
  return queries;
}
