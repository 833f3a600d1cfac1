import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../db/client';
import type { LogLine } from '../lib/logger';
import { insertUser } from '../test-support';
import { BackupInterrupted, verifyDatabaseFile } from './backup';
import { backupFileName, backupInChildProcess, pruneBackups, runScheduledBackup, scheduleBackups, type TakeBackup } from './scheduled-backups';

const BACKUP_NAME = /^quire-\d{8}T\d{6}Z\.db$/;
const INTERVAL_MS = 60 * 60 * 1000;
/** A backup is a child process loading TypeScript through tsx: seconds on a busy machine. */
const CHILD_WAIT = { timeout: 20_000, interval: 50 };

let dir: string;
let db: Db | null;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-scheduled-test-'));
  db = null;
});

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  db?.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function liveDatabase(): Promise<Db> {
  db = openDatabase(path.join(dir, 'quire.db'));
  await insertUser(db, 'alice');
  return db;
}

/** What the server runs: `quire backup FILE` in a child process, on the test's database. */
function childBackup(): TakeBackup {
  return backupInChildProcess({ databasePath: path.join(dir, 'quire.db') });
}

function touch(folder: string, names: string[]): void {
  fs.mkdirSync(folder, { recursive: true });
  for (const name of names) fs.writeFileSync(path.join(folder, name), name);
}

describe('backupFileName', () => {
  it('is the UTC time to the second', async () => {
    expect(backupFileName(new Date('2026-01-02T03:04:05.678Z'))).toBe('quire-20260102T030405Z.db');
  });
});

describe('pruneBackups', () => {
  it('keeps the newest backups and leaves other files alone', async () => {
    const backups = path.join(dir, 'backups');
    touch(backups, [
      'quire-20260103T000000Z.db',
      'quire-20251231T235959Z.db',
      'quire-20260105T000000Z.db',
      'quire-20260101T120000Z.db',
      'quire-20260104T000000Z.db',
      'manual.db',
      'notes.txt',
      'quire-20250101T000000Z.db.partial-123',
    ]);

    const pruned = pruneBackups(backups, 2);

    expect(pruned).toEqual(['quire-20251231T235959Z.db', 'quire-20260101T120000Z.db', 'quire-20260103T000000Z.db']);
    expect(fs.readdirSync(backups).sort()).toEqual([
      'manual.db',
      'notes.txt',
      'quire-20250101T000000Z.db.partial-123',
      'quire-20260104T000000Z.db',
      'quire-20260105T000000Z.db',
    ]);
  });

  it('deletes nothing while there are no more than `keep`', async () => {
    const backups = path.join(dir, 'backups');
    touch(backups, ['quire-20260101T000000Z.db', 'quire-20260102T000000Z.db']);

    expect(pruneBackups(backups, 2)).toEqual([]);
    expect(fs.readdirSync(backups).sort()).toEqual(['quire-20260101T000000Z.db', 'quire-20260102T000000Z.db']);
  });
});

describe('runScheduledBackup', () => {
  it('writes a verified backup, prunes the oldest and logs backup.done', async () => {
    await liveDatabase();
    const backups = path.join(dir, 'backups');
    touch(backups, ['quire-20260101T000000Z.db', 'quire-20260102T000000Z.db', 'quire-20260103T000000Z.db', 'manual.db']);
    const logs: LogLine[] = [];

    await runScheduledBackup(childBackup(), { dir: backups, keep: 2, log: (line) => logs.push(line), now: new Date('2026-01-04T05:06:07Z') });

    const file = path.join(backups, 'quire-20260104T050607Z.db');
    expect(() => verifyDatabaseFile(file)).not.toThrow();
    expect(fs.readdirSync(backups).sort()).toEqual(['manual.db', 'quire-20260103T000000Z.db', 'quire-20260104T050607Z.db']);
    expect(logs).toEqual([
      {
        level: 'info',
        msg: 'backup.done',
        file,
        bytes: fs.statSync(file).size,
        durationMs: expect.any(Number),
        pruned: 2,
      },
    ]);
  });

  it('logs backup.failed instead of throwing when the folder cannot be created', async () => {
    await liveDatabase();
    fs.writeFileSync(path.join(dir, 'not-a-folder'), 'a file in the way');
    const backups = path.join(dir, 'not-a-folder', 'backups');
    const logs: LogLine[] = [];

    await expect(runScheduledBackup(childBackup(), { dir: backups, keep: 2, log: (line) => logs.push(line) })).resolves.toBeUndefined();

    expect(logs).toEqual([
      { level: 'error', msg: 'backup.failed', file: expect.stringMatching(/not-a-folder\/backups\/quire-\d{8}T\d{6}Z\.db$/), error: expect.stringMatching(/ENOTDIR/) },
    ]);
  });
});

describe('backupInChildProcess', () => {
  it('ends its child when aborted, and the backup counts as interrupted, leaving nothing behind', async () => {
    await liveDatabase();
    const backups = path.join(dir, 'backups');
    const aborted = new AbortController();

    const backup = childBackup()(path.join(backups, 'stopped.db'), aborted.signal);
    aborted.abort();

    await expect(backup).rejects.toThrow(BackupInterrupted);
    expect(fs.existsSync(backups) ? fs.readdirSync(backups) : []).toEqual([]);
  });
});

describe('scheduleBackups', () => {
  // the backup is a child process and real I/O: only the interval is faked
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });

  function backupsIn(folder: string): string[] {
    return fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => BACKUP_NAME.test(name)) : [];
  }

  it('takes a backup every interval until stopped', async () => {
    await liveDatabase();
    const backup = vi.fn(childBackup());
    const backups = path.join(dir, 'backups');
    const logs: LogLine[] = [];

    const stop = scheduleBackups(backup, { dir: backups, intervalMs: INTERVAL_MS, keep: 3, log: (line) => logs.push(line) });

    expect(logs).toEqual([{ level: 'info', msg: 'backup.scheduled', dir: backups, everyMs: INTERVAL_MS, keep: 3 }]);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(backup).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(logs.map((line) => line.msg)).toContain('backup.done'), CHILD_WAIT);

    const [file] = backupsIn(backups);
    expect(backupsIn(backups)).toHaveLength(1);
    expect(() => verifyDatabaseFile(path.join(backups, file!))).not.toThrow();
    expect(backup).toHaveBeenCalledTimes(1);

    void stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    expect(backup).toHaveBeenCalledTimes(1);
    expect(logs.filter((line) => line.msg === 'backup.done')).toHaveLength(1);
  });

  it('never starts a backup while the previous one is still running', async () => {
    await liveDatabase();
    const original = childBackup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const backup = vi.fn<TakeBackup>(async (file, signal) => {
      await held;
      return original(file, signal);
    });
    const logs: LogLine[] = [];
    const stop = scheduleBackups(backup, { dir: path.join(dir, 'backups'), intervalMs: INTERVAL_MS, keep: 3, log: (line) => logs.push(line) });

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(backup).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(backup).toHaveBeenCalledTimes(1);

    release();
    await vi.waitFor(() => expect(logs.map((line) => line.msg)).toContain('backup.done'), CHILD_WAIT);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(backup).toHaveBeenCalledTimes(2);

    // stopping interrupts the second one (it used to wait for it: a server stopped at once instead)
    await stop();
    expect(logs.map((line) => line.msg).slice(1)).toEqual(['backup.done', 'backup.interrupted']);
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('interrupts a backup in progress when stopped, logging backup.interrupted rather than a failure', async () => {
    await liveDatabase();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    // stands in for the child process: it ends as `quire backup` does on SIGTERM
    const backup = vi.fn<TakeBackup>(
      (_file, signal) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => reject(new BackupInterrupted('The backup was interrupted')));
        }),
    );
    const logs: LogLine[] = [];
    const stop = scheduleBackups(backup, { dir: path.join(dir, 'backups'), intervalMs: INTERVAL_MS, keep: 3, log: (line) => logs.push(line) });
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    await running;

    await stop();

    expect(logs.slice(1)).toEqual([{ level: 'warn', msg: 'backup.interrupted', file: expect.stringMatching(/quire-\d{8}T\d{6}Z\.db$/) }]);
  });
});
