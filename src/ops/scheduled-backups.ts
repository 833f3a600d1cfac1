import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Log } from '../lib/logger';
import { backupDatabase } from './backup';

const BACKUP_NAME = /^quire-\d{8}T\d{6}Z\.db$/;

export function backupFileName(now: Date): string {
  return `quire-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`;
}

/** Deletes the oldest scheduled backups beyond `keep` (other files in the folder are left alone). */
export function pruneBackups(dir: string, keep: number): string[] {
  const backups = fs
    .readdirSync(dir)
    .filter((name) => BACKUP_NAME.test(name))
    .sort();
  const doomed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const name of doomed) fs.rmSync(path.join(dir, name), { force: true });
  return doomed;
}

/** One verified online backup into `dir`, then pruning; each logged. */
export async function runScheduledBackup(
  sqlite: Database.Database,
  options: { dir: string; keep: number; log: Log; now?: Date },
): Promise<void> {
  const file = path.join(options.dir, backupFileName(options.now ?? new Date()));
  const started = performance.now();
  try {
    const bytes = await backupDatabase(sqlite, file);
    const pruned = pruneBackups(options.dir, options.keep);
    options.log({
      level: 'info',
      msg: 'backup.done',
      file,
      bytes,
      durationMs: Math.round(performance.now() - started),
      pruned: pruned.length,
    });
  } catch (error) {
    options.log({ level: 'error', msg: 'backup.failed', file, error: (error as Error).message });
  }
}

/**
 * Takes a backup every `intervalMs` while the server runs; returns a stop function that also
 * waits for a backup in progress, so the database is never closed under it.
 */
export function scheduleBackups(
  sqlite: Database.Database,
  options: { dir: string; intervalMs: number; keep: number; log: Log },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return; // a slow backup is never overlapped by the next
    running = runScheduledBackup(sqlite, options).finally(() => {
      running = null;
    });
  }, options.intervalMs);
  timer.unref();
  options.log({ level: 'info', msg: 'backup.scheduled', dir: options.dir, everyMs: options.intervalMs, keep: options.keep });
  return async () => {
    clearInterval(timer);
    await running;
  };
}
