/*
 * The database the configuration names, opened in one place for the server and the CLI:
 * PostgreSQL when DATABASE_URL is set (src/db/postgres.ts, loaded only then: a SQLite site never
 * loads node-postgres), else the SQLite file at DATABASE_PATH (src/db/client.ts). Both are migrated
 * on opening and answer the same `Db` type.
 */
import type { Env } from '../env';
import { openDatabase, type Db } from './client';
import type { Engine } from './engine';

type DatabaseEnv = Pick<Env, 'DATABASE_PATH' | 'DATABASE_URL'>;

export type OpenOptions = {
  /** PostgreSQL: an idle connection of the pool failed (the server restarted); the pool replaces it */
  onConnectionError?: (error: Error) => void;
};

/** The engine the configuration names. */
export function configuredEngine(env: DatabaseEnv): Engine {
  return env.DATABASE_URL ? 'postgres' : 'sqlite';
}

/** Opens and migrates the configured database. */
export async function openDatabaseFrom(env: DatabaseEnv, options: OpenOptions = {}): Promise<Db> {
  if (env.DATABASE_URL) {
    const { openPostgres } = await import('./postgres');
    const db = await openPostgres(env.DATABASE_URL, options.onConnectionError ? { onError: options.onConnectionError } : {});
    return db as unknown as Db;
  }
  return openDatabase(env.DATABASE_PATH);
}

/** The database as logs and messages name it: the SQLite file, or the PostgreSQL URL without its password. */
export function databaseLabel(env: DatabaseEnv): string {
  if (!env.DATABASE_URL) return env.DATABASE_PATH;
  const url = new URL(env.DATABASE_URL);
  if (url.password) url.password = '***';
  return url.toString();
}
