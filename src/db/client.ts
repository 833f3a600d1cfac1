import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { paths } from '../paths';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database or a transaction on it: what query functions take. */
export type Queryable = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

const BUSY_TIMEOUT_MS = 5000;

function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

export function wrapDatabase(sqlite: Database.Database): Db {
  return drizzle({ client: sqlite, schema });
}

/** Opens (creating its directory if needed) and migrates the database file. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  const db = wrapDatabase(sqlite);
  migrate(db, { migrationsFolder: paths.migrations });
  return db;
}
