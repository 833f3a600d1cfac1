import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { runtime } from '../runtime';
import * as schema from './schema';
import { retainStatements } from './statements';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database or a transaction on it: what query functions take. */
export type Queryable = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

export const BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite's page cache, in KiB. better-sqlite3 builds SQLite with 16 MB per connection, which a
 * server filled under load (RSS +14 MB) for no measurable gain: the file's pages are in the
 * operating system's cache anyway, and a miss is a read() from it. Pages, feeds and the API cost
 * the same CPU with 2, 4 or 16 MB on the 10 000-article dataset.
 */
export const CACHE_KIB = 4000;

export class DatabaseTooNewError extends Error {
  override name = 'DatabaseTooNewError';
}

function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma(`cache_size = -${CACHE_KIB}`);
}

export function wrapDatabase(sqlite: Database.Database): Db {
  return drizzle({ client: sqlite, schema });
}

/** A raw connection through the addon this process uses (the binary brings its own). */
export function openSqlite(file: string, options: { readonly?: boolean; fileMustExist?: boolean } = {}): Database.Database {
  return retainStatements(new Database(file, { ...options, nativeBinding: runtime().sqliteBinding as string | undefined }));
}

/**
 * Refuses a database that a newer Quire has migrated: it holds migrations this build does not
 * know, and running on it could lose data. Roll back by restoring the backup taken before.
 */
export function assertKnownMigrations(sqlite: Database.Database, migrationsFolder: string): void {
  const table = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  if (!table) return;
  const known = new Set(readMigrationFiles({ migrationsFolder }).map((migration) => migration.hash));
  const applied = sqlite.prepare('select hash, created_at from __drizzle_migrations').all() as Array<{ hash: string }>;
  const unknown = applied.filter((row) => !known.has(row.hash));
  if (unknown.length > 0) {
    throw new DatabaseTooNewError(
      `This database was migrated by a newer version of Quire (${unknown.length} unknown migration${unknown.length === 1 ? '' : 's'}). ` +
        'Run that version, or restore a backup taken before the upgrade with `quire restore FILE`.',
    );
  }
}

/** Opens (creating its directory if needed) and migrates the database file. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = openSqlite(file);
  try {
    applyPragmas(sqlite);
    const { migrationsFolder } = runtime();
    assertKnownMigrations(sqlite, migrationsFolder);
    const db = wrapDatabase(sqlite);
    migrate(db, { migrationsFolder });
    return db;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
