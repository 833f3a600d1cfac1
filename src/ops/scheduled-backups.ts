import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../lib/logger';
import { selfCommand } from '../runtime';
import { BackupInterrupted, OperationError } from './backup';

const BACKUP_NAME = /^quire-\d{8}T\d{6}Z\.db$/;

/** Writes a verified backup of the database to `file` and returns its size; `signal` ends it. */
export type TakeBackup = (file: string, signal: AbortSignal) => Promise<number>;

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

/**
 * The server's backups run as `quire backup FILE` in a child process: copying and checking a large
 * database take seconds of synchronous SQLite work (integrity_check alone held /healthz for up to
 * 1.5 s when it ran on the server's thread), and a process of its own also keeps the copy's page
 * cache out of the server's memory. Aborting sends it SIGTERM, on which it removes its partial copy.
 */
export function backupInChildProcess(options: { databasePath: string; cacheDir?: string }): TakeBackup {
  return (file, signal) =>
    new Promise((resolve, reject) => {
      const { file: command, args, cwd } = selfCommand();
      // absolute paths: from source the child runs in the project's root, not the server's cwd
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: path.resolve(options.databasePath) };
      if (options.cacheDir) env.QUIRE_CACHE_DIR = path.resolve(options.cacheDir);
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

/** One verified backup into `dir`, then pruning; each logged. */
export async function runScheduledBackup(
  takeBackup: TakeBackup,
  options: { dir: string; keep: number; log: Log; now?: Date; signal?: AbortSignal },
): Promise<void> {
  const file = path.join(options.dir, backupFileName(options.now ?? new Date()));
  const started = performance.now();
  try {
    const bytes = await takeBackup(file, options.signal ?? new AbortController().signal);
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
  options: { dir: string; intervalMs: number; keep: number; log: Log },
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
