import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { assertKnownMigrations, BUSY_TIMEOUT_MS, openSqlite } from '../db/client';
import type { MediaStore } from '../media/store';
import { runtime } from '../runtime';
import { mediaNamesOf, restoreMediaBackup, verifyMediaBackup, writeMediaBackup, type MediaBackupSummary } from './media-backup';

export class OperationError extends Error {
  override name = 'OperationError';
}

export type Progress = (done: number, total: number) => void;

/**
 * Pages copied per step. The copy reads one snapshot, so steps are not for the writers' sake: they
 * let a signal (Ctrl-C, a stopping server) interrupt the copy within a few milliseconds.
 */
const PAGES_PER_STEP = 256;

/** What a backup in progress is called: the destination (or its .media folder), `.partial-`, the pid that writes it. */
const PARTIAL_NAME = /^.+\.partial-(\d+)(?:-journal|-wal|-shm)?$/;

export class BackupInterrupted extends OperationError {
  override name = 'BackupInterrupted';
}

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

/** The image files a SQLite database's uploads name (those not removed); none before uploads existed. */
export type MediaBackupOptions = { media?: MediaStore; mediaDone?: (summary: MediaBackupSummary) => void };

/**
 * Puts a verified database copy (`partial`) in place at `target` with the images of `options.media`
 * (src/ops/media-backup.ts), copied from the store as it is after the snapshot, of which `required`
 * names the ones the copy shows: the images' folder goes in place first, then the database file, so a
 * backup never appears without its images. What was written is removed if anything fails.
 */
export async function putBackupInPlace(
  copy: { partial: string; target: string; interrupted: () => void },
  options: MediaBackupOptions,
  required: () => string[] | Promise<string[]>,
): Promise<void> {
  const { partial, target, interrupted } = copy;
  const media = options.media ? await writeMediaBackup(options.media, target, await required(), interrupted) : null;
  try {
    interrupted();
    media?.commit();
    fs.renameSync(partial, target);
  } finally {
    media?.discard();
  }
  if (media) options.mediaDone?.(media.summary);
}

export function requiredMediaOfSqlite(file: string): string[] {
  const sqlite = openSqlite(file, { readonly: true, fileMustExist: true });
  try {
    const hasUploads = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'uploads'").get();
    if (!hasUploads) return [];
    const rows = sqlite.prepare('select url from uploads where removed_at is null').all() as { url: string }[];
    return mediaNamesOf(rows.map((row) => row.url));
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
 * Partial copies whose writer is gone (killed, or the machine stopped): the next backup into the
 * folder removes them. A live process's partial (another backup running now) is left alone.
 */
function removeAbandonedPartials(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const match = PARTIAL_NAME.exec(name);
    if (match && !isAlive(Number(match[1]))) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Where a backup (SQLite's or pg_dump's) is written: `destination`'s folder made, the partial files
 * of dead writers removed, this process's partial name beside it, and a check that throws
 * BackupInterrupted once `signal` has stopped the backup.
 */
export function backupTarget(destination: string, signal?: AbortSignal): { target: string; partial: string; interrupted: () => void } {
  const target = path.resolve(destination);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    removeAbandonedPartials(path.dirname(target));
  } catch (error) {
    throw new OperationError(`Cannot write ${destination}: ${(error as Error).message}`);
  }
  const interrupted = () => {
    if (signal?.aborted) throw new BackupInterrupted(`The backup was interrupted: nothing was written to ${destination}.`);
  };
  return { target, partial: `${target}.partial-${process.pid}`, interrupted };
}

/**
 * Writes a consistent copy of a live database, verifies it, then moves it into place; returns the
 * size in bytes. The copy holds one read transaction from start to end on its own connection, so
 * it reads one snapshot: in WAL mode the site keeps writing meanwhile, and SQLite's backup API,
 * which starts over whenever another connection writes, never has to (an online backup without
 * the snapshot never finished on a busy site). `signal` stops it between steps; whatever it had
 * written is removed, as it is on any failure.
 */
export async function backupDatabase(
  databasePath: string,
  destination: string,
  options: { progress?: Progress; signal?: AbortSignal } & MediaBackupOptions = {},
): Promise<number> {
  const { progress } = options;
  const { target, partial, interrupted } = backupTarget(destination, options.signal);
  removeDatabaseFiles(partial);
  try {
    interrupted();
    const source = openSqlite(databasePath, { fileMustExist: true });
    try {
      // the site may be checkpointing or recovering its WAL: wait for it rather than fail
      source.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      source.exec('BEGIN');
      // the first read opens the snapshot that every step of the copy then reads
      source.prepare('select count(*) from sqlite_master').get();
      const { totalPages } = await source.backup(partial, {
        progress: ({ totalPages, remainingPages }) => {
          interrupted();
          progress?.(totalPages - remainingPages, totalPages);
          return PAGES_PER_STEP;
        },
      });
      // better-sqlite3 calls `progress` only while pages remain: report the end here
      progress?.(totalPages, totalPages);
    } finally {
      // ends the read transaction too, so the site's WAL can be checkpointed past it again
      source.close();
    }
    interrupted();
    makeSelfContained(partial);
    verifyDatabaseFile(partial, destination);
    interrupted();
    await putBackupInPlace({ partial, target, interrupted }, options, () => requiredMediaOfSqlite(partial));
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
  const incoming = checkedIncoming(databasePath, backupFile);
  try {
    return { keptAs: swapIn(databasePath, backupFile, incoming, now) };
  } finally {
    removeDatabaseFiles(incoming);
  }
}

/**
 * restoreDatabase with the backup's images: the database and its `.media` folder verified together,
 * the images put into `store` (files or S3), then the database put in place.
 */
export async function restoreDatabaseWithMedia(
  databasePath: string,
  backupFile: string,
  store: MediaStore,
  now = new Date(),
): Promise<{ keptAs: string | null; media: MediaBackupSummary & { put: number } }> {
  const incoming = checkedIncoming(databasePath, backupFile);
  try {
    const summary = await verifyMediaBackup(backupFile, requiredMediaOfSqlite(incoming));
    const { put } = await restoreMediaBackup(backupFile, store);
    return { keptAs: swapIn(databasePath, backupFile, incoming, now), media: { ...summary, put } };
  } finally {
    removeDatabaseFiles(incoming);
  }
}

/** A verified private copy of the backup beside the database (the user's backup file is never opened). */
function checkedIncoming(databasePath: string, backupFile: string): string {
  const pid = runningServerPid(databasePath);
  if (pid) throw new OperationError(`Quire is running (pid ${pid}). Stop it before restoring: systemctl stop quire`);
  const source = path.resolve(backupFile);
  if (!fs.existsSync(source)) throw new OperationError(`${backupFile} does not exist`);
  const target = path.resolve(databasePath);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const incoming = `${target}.restoring-${process.pid}`;
  try {
    fs.copyFileSync(source, incoming);
    verifyDatabaseFile(incoming, backupFile);
  } catch (error) {
    removeDatabaseFiles(incoming);
    if (error instanceof OperationError) throw error;
    throw new OperationError(`${backupFile} cannot be restored: ${(error as Error).message}`);
  }
  return incoming;
}

/** Moves the database aside (returning where) and the checked copy into its place. */
function swapIn(databasePath: string, backupFile: string, incoming: string, now: Date): string | null {
  const target = path.resolve(databasePath);
  let keptAs: string | null = null;
  try {
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
  }
  return keptAs;
}
