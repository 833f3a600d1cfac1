import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/client';
import { onOneNode } from '../db/transaction';
import type { Log } from '../lib/logger';
import { selfCommand } from '../runtime';
import { BackupInterrupted, OperationError } from './backup';
import type { MediaStore } from '../media/store';
import { mediaFolderOf } from './media-backup';
import { backupPostgres, type ToolOptions } from './postgres-backup';

/** A scheduled backup's file: SQLite's database file, or PostgreSQL's pg_dump archive. */
export type BackupExtension = '.db' | '.dump';

/**
 * Writes a verified backup of the database to `file` and returns its size; `signal` ends it.
 * null: this interval's backup is another node's (PostgreSQL), nothing was written.
 */
export type TakeBackup = (file: string, signal: AbortSignal) => Promise<number | null>;

const STAMP = /^quire-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.(?:db|dump)$/;

export function backupFileName(now: Date, extension: BackupExtension = '.db'): string {
  return `quire-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}${extension}`;
}

/** The time a scheduled backup's name says it was started (to the second), or null for another file. */
export function backupTime(name: string): number | null {
  const match = STAMP.exec(path.basename(name));
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h, mi, s);
}

/**
 * Deletes the oldest scheduled backups (of this kind) beyond `keep`, each with its images
 * (`<backup>.media/`); other files in the folder are left alone.
 */
export function pruneBackups(dir: string, keep: number, extension: BackupExtension = '.db'): string[] {
  const backups = fs
    .readdirSync(dir)
    .filter((name) => backupTime(name) !== null && name.endsWith(extension))
    .sort();
  const doomed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const name of doomed) {
    fs.rmSync(path.join(dir, name), { force: true });
    // files linked from this backup by a newer one stay there: a hard link is removed alone
    fs.rmSync(mediaFolderOf(path.join(dir, name)), { recursive: true, force: true });
  }
  return doomed;
}

/**
 * The server's backups run as `quire backup FILE` in a child process: copying and checking a large
 * database take seconds of synchronous SQLite work (integrity_check alone held /healthz for up to
 * 1.5 s when it ran on the server's thread), and a process of its own also keeps the copy's page
 * cache out of the server's memory. Aborting sends it SIGTERM, on which it removes its partial copy.
 */
export function backupInChildProcess(options: { databasePath: string; cacheDir?: string; mediaDir?: string }): TakeBackup {
  return (file, signal) =>
    new Promise((resolve, reject) => {
      const { file: command, args, cwd } = selfCommand();
      // absolute paths: from source the child runs in the project's root, not the server's cwd
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: path.resolve(options.databasePath) };
      if (options.cacheDir) env.QUIRE_CACHE_DIR = path.resolve(options.cacheDir);
      // the file store's folder as the server resolved it (from source the child runs elsewhere)
      if (options.mediaDir) env.MEDIA_DIR = path.resolve(options.mediaDir);
      const target = path.resolve(file);
      const child = spawn(command, [...args, 'backup', target], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const stop = () => child.kill('SIGTERM');
      signal.addEventListener('abort', stop, { once: true });
      child.on('error', (error) => {
        signal.removeEventListener('abort', stop);
        reject(new OperationError(`quire backup could not start: ${error.message}`));
      });
      child.on('close', (code, exitSignal) => {
        signal.removeEventListener('abort', stop);
        if (code === 0) return resolve(fs.statSync(target).size);
        // what the command said, without its progress lines and the "quire: " before each message
        const message = stderr
          .split('\n')
          .filter((line) => line && !line.startsWith('Backing up...'))
          .map((line) => line.replace(/^quire: /, ''))
          .join('\n');
        const failure = message || `quire backup exited with ${code ?? exitSignal}`;
        // a Ctrl-C at the server's terminal reaches the child too, maybe before the server aborts it
        const interrupted = signal.aborted || code === 130 || code === 143 || exitSignal === 'SIGINT' || exitSignal === 'SIGTERM';
        reject(interrupted ? new BackupInterrupted(failure) : new OperationError(failure));
      });
    });
}

/**
 * PostgreSQL's scheduled backups: `pg_dump` (src/ops/postgres-backup.ts, a process of its own) on
 * one node at a time (onOneNode: a node finding another at it skips), and once per interval
 * whichever node's timer comes first: a node finds the interval's backup already in `dir` (a folder
 * the nodes share) and skips. A backup started less than INTERVAL_SHARE of an interval ago counts
 * as this interval's; the rest is room for timers firing late and names kept to the second.
 */
export function backupOnOneNode(db: Db, url: string, options: ToolOptions & { dir: string; intervalMs: number; media?: MediaStore }): TakeBackup {
  return async (file, signal) => {
    const result = await onOneNode(db, 'backups', async () => {
      const now = backupTime(file) ?? Date.now();
      const newest = Math.max(-Infinity, ...fs.readdirSync(options.dir).filter((name) => name.endsWith('.dump')).map((name) => backupTime(name) ?? -Infinity));
      if (now - newest < options.intervalMs * INTERVAL_SHARE) return null;
      return backupPostgres(url, file, { ...options, signal });
    });
    return result.ran ? result.value : null;
  };
}

/** See backupOnOneNode. */
export const INTERVAL_SHARE = 0.9;

/** One verified backup into `dir`, then pruning; each logged. */
export async function runScheduledBackup(
  takeBackup: TakeBackup,
  options: { dir: string; keep: number; log: Log; now?: Date; signal?: AbortSignal; extension?: BackupExtension },
): Promise<void> {
  const extension = options.extension ?? '.db';
  const file = path.join(options.dir, backupFileName(options.now ?? new Date(), extension));
  const started = performance.now();
  try {
    fs.mkdirSync(options.dir, { recursive: true });
    const bytes = await takeBackup(file, options.signal ?? new AbortController().signal);
    if (bytes === null) {
      options.log({ level: 'info', msg: 'backup.skipped', file, reason: 'another node has taken this interval\'s backup' });
      return;
    }
    const pruned = pruneBackups(options.dir, options.keep, extension);
    options.log({
      level: 'info',
      msg: 'backup.done',
      file,
      bytes,
      durationMs: Math.round(performance.now() - started),
      pruned: pruned.length,
    });
  } catch (error) {
    // a backup cut short by the server stopping is not a failure to alert on
    if (error instanceof BackupInterrupted) options.log({ level: 'warn', msg: 'backup.interrupted', file });
    else options.log({ level: 'error', msg: 'backup.failed', file, error: (error as Error).message });
  }
}

/**
 * Takes a backup every `intervalMs` while the server runs; returns a stop function that interrupts
 * a backup in progress (its partial copy is removed) and waits for it to end.
 */
export function scheduleBackups(
  takeBackup: TakeBackup,
  options: { dir: string; intervalMs: number; keep: number; log: Log; extension?: BackupExtension },
): () => Promise<void> {
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return; // a slow backup is never overlapped by the next
    running = runScheduledBackup(takeBackup, { ...options, signal: stopping.signal }).finally(() => {
      running = null;
    });
  }, options.intervalMs);
  timer.unref();
  options.log({ level: 'info', msg: 'backup.scheduled', dir: options.dir, everyMs: options.intervalMs, keep: options.keep });
  return async () => {
    clearInterval(timer);
    stopping.abort();
    await running;
  };
}
