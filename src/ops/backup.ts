import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { assertKnownMigrations, openSqlite } from '../db/client';
import { runtime } from '../runtime';

export class OperationError extends Error {
  override name = 'OperationError';
}

export type Progress = (done: number, total: number) => void;

/** Pages copied per step of the online backup: small steps keep the server answering between them. */
const PAGES_PER_STEP = 256;

/**
 * Checks a database file: it opens, passes integrity_check and is a Quire database we understand.
 * `name` is how messages call it (restore checks a private copy but names the user's file).
 */
export function verifyDatabaseFile(file: string, name = file): void {
  let sqlite: Database.Database;
  try {
    sqlite = openSqlite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new OperationError(`${name} cannot be opened as a database: ${(error as Error).message}`);
  }
  try {
    const result = sqlite.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new OperationError(`${name} fails integrity_check: ${String(result)}`);
    const isQuire = sqlite
      .prepare("select 1 from sqlite_master where type = 'table' and name in ('__drizzle_migrations', 'users')")
      .all();
    if (isQuire.length < 2) throw new OperationError(`${name} is not a Quire database`);
    assertKnownMigrations(sqlite, runtime().migrationsFolder);
  } catch (error) {
    if (error instanceof OperationError) throw error;
    throw new OperationError(`${name} is not usable: ${(error as Error).message}`);
  } finally {
    sqlite.close();
  }
}

/** A database file with the side files SQLite may create beside it. */
function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
}

/**
 * A copy of a WAL database is a WAL database, and even a read-only open of one creates -wal and
 * -shm files beside it (and fails where it cannot). Rollback mode makes the copy one self-contained
 * file; the server switches it back to WAL when it opens it.
 */
function makeSelfContained(file: string): void {
  const sqlite = openSqlite(file, { fileMustExist: true });
  try {
    sqlite.pragma('journal_mode = DELETE');
  } finally {
    sqlite.close();
  }
}

/**
 * Writes a consistent copy of a live database with SQLite's online backup API (the site keeps
 * serving: writers are only paused between steps), verifies it, then moves it into place.
 * Returns the size in bytes.
 */
export async function backupDatabase(source: Database.Database, destination: string, progress?: Progress): Promise<number> {
  const target = path.resolve(destination);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  removeDatabaseFiles(partial);
  try {
    const { totalPages } = await source.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        progress?.(totalPages - remainingPages, totalPages);
        return PAGES_PER_STEP;
      },
    });
    // better-sqlite3 calls `progress` only while pages remain: report the end here
    progress?.(totalPages, totalPages);
    makeSelfContained(partial);
    verifyDatabaseFile(partial, destination);
    fs.renameSync(partial, target);
  } finally {
    removeDatabaseFiles(partial);
  }
  return fs.statSync(target).size;
}

/** A lock file beside the database, held by a running server, so `restore` can refuse. */
export function lockFilePath(databasePath: string): string {
  return `${path.resolve(databasePath)}.lock`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the server using this database, or null (a lock left by a dead process is stale). */
export function runningServerPid(databasePath: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(lockFilePath(databasePath), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
}

export function acquireServerLock(databasePath: string): () => void {
  const other = runningServerPid(databasePath);
  if (other) throw new OperationError(`Quire is already running on ${databasePath} (pid ${other}).`);
  const file = lockFilePath(databasePath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, String(process.pid));
  return () => fs.rmSync(file, { force: true });
}

/**
 * Puts a verified backup in place of the database, keeping the old file (and its WAL) beside it
 * as `<name>.before-restore-<time>`. Refuses while a server is using the database.
 */
export function restoreDatabase(databasePath: string, backupFile: string, now = new Date()): { keptAs: string | null } {
  const pid = runningServerPid(databasePath);
  if (pid) throw new OperationError(`Quire is running (pid ${pid}). Stop it before restoring: systemctl stop quire`);
  const source = path.resolve(backupFile);
  if (!fs.existsSync(source)) throw new OperationError(`${backupFile} does not exist`);

  const target = path.resolve(databasePath);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const incoming = `${target}.restoring-${process.pid}`;
  let keptAs: string | null = null;
  try {
    // the copy is what gets checked and put in place; the user's backup file is never opened
    fs.copyFileSync(source, incoming);
    verifyDatabaseFile(incoming, backupFile);
    if (fs.existsSync(target)) {
      const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      keptAs = `${target}.before-restore-${stamp}`;
      // a second restore within the same second must not overwrite the first one's keepsake
      for (let n = 2; ['', '-wal', '-shm'].some((suffix) => fs.existsSync(keptAs + suffix)); n++) {
        keptAs = `${target}.before-restore-${stamp}-${n}`;
      }
      for (const suffix of ['', '-wal', '-shm']) {
        if (fs.existsSync(target + suffix)) fs.renameSync(target + suffix, keptAs + suffix);
      }
    }
    fs.renameSync(incoming, target);
  } catch (error) {
    if (error instanceof OperationError) throw error;
    throw new OperationError(`${backupFile} cannot be restored: ${(error as Error).message}`);
  } finally {
    removeDatabaseFiles(incoming);
  }
  return { keptAs };
}
