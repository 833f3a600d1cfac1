import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, openDatabase, type Db } from '../db/client';
import { transaction } from '../db/transaction';
import { insertArticle, insertUser } from '../test-support';
import {
  acquireServerLock,
  BackupInterrupted,
  backupDatabase,
  lockFilePath,
  OperationError,
  restoreDatabase,
  verifyDatabaseFile,
} from './backup';

/** A pid no process has (Linux pids stop well below 2^31). */
const DEAD_PID = 2147483646;

let dir: string;
let open: Database.Database[];
let children: ChildProcess[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-backup-test-'));
  open = [];
  children = [];
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const sqlite of open) if (sqlite.open) sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string): string {
  return path.join(dir, name);
}

function liveDatabase(name = 'quire.db'): Db {
  const db = openDatabase(file(name));
  open.push(db.$client);
  return db;
}

function readOnly(name: string): Database.Database {
  const sqlite = new Database(name, { readonly: true, fileMustExist: true });
  open.push(sqlite);
  return sqlite;
}

/** `mb` megabytes of zeros in a scratch table: a large database in a fraction of a second. */
function addBallast(sqlite: Database.Database, mb: number): void {
  sqlite.exec('create table if not exists ballast (id integer primary key, data blob not null)');
  const insert = sqlite.prepare('insert into ballast (data) values (zeroblob(1024 * 1024))');
  sqlite.transaction(() => {
    for (let i = 0; i < mb; i++) insert.run();
  })();
}

function count(sqlite: Database.Database, table: 'users' | 'articles' | 'sessions'): number {
  return (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

function usernames(sqlite: Database.Database): string[] {
  return (sqlite.prepare('select username from users order by id').all() as Array<{ username: string }>).map((row) => row.username);
}

/** A Quire database that a (pretend) newer version has migrated further. */
function tooNewDatabase(name: string): string {
  const db = liveDatabase(name);
  db.$client
    .prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)')
    .run('f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed', Date.UTC(2099, 0, 1));
  db.$client.close();
  return file(name);
}

/** A process that is alive and is not this one: it stands in for a running server. */
function otherLiveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

describe('backupDatabase', () => {
  it('writes a verified copy of a live database holding the same rows', async () => {
    const db = liveDatabase();
    const alice = await insertUser(db, 'alice');
    const bob = await insertUser(db, 'bob');
    await insertArticle(db, alice.id, { title: 'First' });
    await insertArticle(db, bob.id, { title: 'Second', tagList: ['sqlite'] });
    const progress: Array<[number, number]> = [];

    const bytes = await backupDatabase(file('quire.db'), file('backups/copy.db'), { progress: (done, total) => progress.push([done, total]) });

    expect(bytes).toBe(fs.statSync(file('backups/copy.db')).size);
    expect(() => verifyDatabaseFile(file('backups/copy.db'))).not.toThrow();
    const copy = readOnly(file('backups/copy.db'));
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(usernames(copy)).toEqual(['alice', 'bob']);
    expect(copy.prepare('select title, author_id as authorId from articles order by id').all()).toEqual([
      { title: 'First', authorId: alice.id },
      { title: 'Second', authorId: bob.id },
    ]);
    // nothing of the work in progress is left behind, not even SQLite's side files
    expect(fs.readdirSync(file('backups'))).toEqual(['copy.db']);
    const [done, total] = progress.at(-1)!;
    expect(total).toBeGreaterThan(0);
    expect(done).toBe(total);
  });

  it('completes with a consistent snapshot while the site keeps writing', async () => {
    const db = liveDatabase();
    const alice = await insertUser(db, 'alice');
    // a few MB, so the backup takes many steps and writes land between them
    const body = 'Lorem ipsum dolor sit amet. '.repeat(150);
    await transaction(db, async (tx) => {
      for (let i = 0; i < 800; i++) await insertArticle(tx, alice.id, { title: `Before ${i}`, body });
    });
    const before = count(db.$client, 'articles');
    let steps = 0;

    const backup = backupDatabase(file('quire.db'), file('copy.db'), { progress: () => steps++ });
    let finished = false;
    backup.then(
      () => (finished = true),
      () => (finished = true),
    );
    let writtenDuring = 0;
    while (!finished) {
      for (let i = 0; i < 20; i++) await insertArticle(db, alice.id, { title: `During ${writtenDuring++}`, body });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await backup;

    expect(steps).toBeGreaterThan(2);
    expect(writtenDuring).toBeGreaterThan(0);
    const copy = readOnly(file('copy.db'));
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('foreign_key_check')).toEqual([]);
    const copied = (copy.prepare('select id from articles order by id').all() as Array<{ id: number }>).map((row) => row.id);
    expect(copied.length).toBeGreaterThanOrEqual(before);
    expect(copied.length).toBeLessThanOrEqual(before + writtenDuring);
    // a snapshot: exactly the live rows up to some point, no holes
    const live = db.$client.prepare('select id from articles where id <= ? order by id').all(copied.at(-1)) as Array<{ id: number }>;
    expect(copied).toEqual(live.map((row) => row.id));
  });

  it('removes what it had written when interrupted, and writes nothing at the destination', async () => {
    const db = liveDatabase();
    await insertUser(db, 'alice');
    addBallast(db.$client, 4);
    const interrupt = new AbortController();
    let partialSeen = false;

    const backup = backupDatabase(file('quire.db'), file('backups/copy.db'), {
      signal: interrupt.signal,
      progress: () => {
        partialSeen ||= fs.readdirSync(file('backups')).some((name) => /^copy\.db\.partial-\d+$/.test(name));
        interrupt.abort('SIGINT');
      },
    });

    await expect(backup).rejects.toThrow(BackupInterrupted);
    await expect(backup).rejects.toThrow(`The backup was interrupted: nothing was written to ${file('backups/copy.db')}.`);
    expect(partialSeen).toBe(true);
    expect(fs.readdirSync(file('backups'))).toEqual([]);
  });

  it('removes partial copies left by a process that is gone, and leaves a running one’s alone', async () => {
    liveDatabase().$client.close();
    const running = otherLiveProcess();
    fs.mkdirSync(file('backups'));
    const abandoned = [`old.db.partial-${DEAD_PID}`, `old.db.partial-${DEAD_PID}-journal`, `quire-20260101T000000Z.db.partial-${DEAD_PID}-wal`];
    const inProgress = [`now.db.partial-${running}`, `now.db.partial-${running}-journal`];
    for (const name of [...abandoned, ...inProgress, 'notes.partial-x']) fs.writeFileSync(file(`backups/${name}`), 'half a copy');

    await backupDatabase(file('quire.db'), file('backups/copy.db'));

    expect(fs.readdirSync(file('backups')).sort()).toEqual(['copy.db', ...inProgress, 'notes.partial-x'].sort());
  });

  it('leaves an existing file at the destination alone when the copy fails verification', async () => {
    const db = liveDatabase();
    db.$client
      .prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)')
      .run('made-up-by-a-newer-quire', Date.UTC(2099, 0, 1));
    fs.writeFileSync(file('copy.db'), 'yesterday');

    await expect(backupDatabase(file('quire.db'), file('copy.db'))).rejects.toThrow(/newer version of Quire/);

    expect(fs.readFileSync(file('copy.db'), 'utf8')).toBe('yesterday');
    expect(fs.readdirSync(dir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });
});

describe('verifyDatabaseFile', () => {
  it('accepts a Quire database', async () => {
    liveDatabase().$client.close();
    expect(() => verifyDatabaseFile(file('quire.db'))).not.toThrow();
  });

  it('refuses a file that does not exist', async () => {
    expect(() => verifyDatabaseFile(file('missing.db'))).toThrow(OperationError);
    expect(() => verifyDatabaseFile(file('missing.db'))).toThrow(/missing\.db cannot be opened as a database/);
  });

  it('refuses a file that is not a database', async () => {
    fs.writeFileSync(file('noise.db'), randomBytes(8192));
    expect(() => verifyDatabaseFile(file('noise.db'))).toThrow(OperationError);
    expect(() => verifyDatabaseFile(file('noise.db'))).toThrow(/noise\.db is not usable: file is not a database/);
  });

  it('refuses an SQLite database that is not Quire’s', async () => {
    const other = new Database(file('other.db'));
    other.exec('create table recipes (id integer primary key, name text); create table users (id integer primary key)');
    other.close();
    expect(() => verifyDatabaseFile(file('other.db'))).toThrow(OperationError);
    expect(() => verifyDatabaseFile(file('other.db'))).toThrow(/other\.db is not a Quire database/);
  });

  it('refuses a Quire database migrated by a newer version', async () => {
    const newer = tooNewDatabase('newer.db');
    expect(() => verifyDatabaseFile(newer)).toThrow(OperationError);
    expect(() => verifyDatabaseFile(newer)).toThrow(/newer\.db is not usable: .*newer version of Quire \(1 unknown migration\)/);
  });
});

describe('openDatabase', () => {
  it('refuses a database migrated by a newer version, pointing at quire restore', async () => {
    const newer = tooNewDatabase('newer.db');
    const countMigrations = () => {
      const sqlite = readOnly(newer);
      const row = sqlite.prepare('select count(*) as n from __drizzle_migrations').get();
      sqlite.close();
      return row;
    };
    const before = countMigrations();
    const refusal = (() => {
      try {
        openDatabase(newer);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(DatabaseTooNewError);
    expect((refusal as Error).message).toMatch(/newer version of Quire/);
    expect((refusal as Error).message).toContain('`quire restore FILE`');
    // and it did not touch the database: no migration was applied on top of the unknown one
    expect(countMigrations()).toEqual(before);
  });
});

describe('restoreDatabase', () => {
  async function backupWithAlice(): Promise<string> {
    const source = liveDatabase('source.db');
    await insertUser(source, 'alice');
    await backupDatabase(file('source.db'), file('backup.db'));
    source.$client.close();
    return file('backup.db');
  }

  async function currentWithBob(): Promise<string> {
    const current = liveDatabase('quire.db');
    await insertUser(current, 'bob');
    current.$client.close();
    return file('quire.db');
  }

  it('puts the backup in place and keeps the old database beside it', async () => {
    const backup = await backupWithAlice();
    const current = await currentWithBob();

    const { keptAs } = restoreDatabase(current, backup, new Date('2026-01-02T03:04:05.678Z'));

    expect(keptAs).toBe(`${current}.before-restore-20260102T030405Z`);
    expect(usernames(readOnly(current))).toEqual(['alice']);
    expect(usernames(readOnly(keptAs!))).toEqual(['bob']);
    expect(fs.readdirSync(dir).filter((name) => name.includes('.restoring-'))).toEqual([]);
    // the backup itself was only read, through a copy: nothing new appears beside it
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('backup.db'))).toEqual(['backup.db']);
  });

  it('keeps every previous database when restoring twice within a second', async () => {
    const backup = await backupWithAlice();
    const current = await currentWithBob();
    const now = new Date('2026-01-02T03:04:05Z');

    const first = restoreDatabase(current, backup, now);
    const second = restoreDatabase(current, backup, now);

    expect(first.keptAs).toBe(`${current}.before-restore-20260102T030405Z`);
    expect(second.keptAs).toBe(`${current}.before-restore-20260102T030405Z-2`);
    expect(usernames(readOnly(first.keptAs!))).toEqual(['bob']);
    expect(usernames(readOnly(second.keptAs!))).toEqual(['alice']);
  });

  it('keeps the old database’s WAL with it when the server did not shut down cleanly', async () => {
    const backup = await backupWithAlice();
    const current = await currentWithBob();
    // a server killed mid-flight: its last write exists only in quire.db-wal
    const crashed = spawn(
      process.execPath,
      [
        '-e',
        `const db = require('better-sqlite3')(process.argv[1]);
         db.pragma('journal_mode = WAL');
         db.pragma('wal_autocheckpoint = 0');
         db.prepare("update users set bio = 'only in the WAL'").run();
         process.stdout.write('written\\n');
         setInterval(() => {}, 1000);`,
        current,
      ],
      { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(crashed);
    await new Promise<void>((resolve, reject) => {
      crashed.stdout!.on('data', () => resolve());
      crashed.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    const killed = new Promise((resolve) => crashed.on('exit', resolve));
    crashed.kill('SIGKILL');
    await killed;
    expect(fs.existsSync(`${current}-wal`)).toBe(true);
    expect(fs.existsSync(`${current}-shm`)).toBe(true);

    const { keptAs } = restoreDatabase(current, backup, new Date('2026-01-02T03:04:05Z'));

    expect(fs.existsSync(`${keptAs}-wal`)).toBe(true);
    expect(fs.existsSync(`${keptAs}-shm`)).toBe(true);
    expect(fs.existsSync(`${current}-wal`)).toBe(false);
    expect(fs.existsSync(`${current}-shm`)).toBe(false);
    expect(readOnly(keptAs!).prepare('select username, bio from users').all()).toEqual([{ username: 'bob', bio: 'only in the WAL' }]);
    expect(usernames(readOnly(current))).toEqual(['alice']);
  });

  it('restores where there was no database yet, keeping nothing', async () => {
    const backup = await backupWithAlice();

    const { keptAs } = restoreDatabase(file('new/quire.db'), backup);

    expect(keptAs).toBeNull();
    expect(usernames(readOnly(file('new/quire.db')))).toEqual(['alice']);
  });

  it('refuses while Quire is running on the database', async () => {
    const backup = await backupWithAlice();
    const current = await currentWithBob();
    const pid = otherLiveProcess();
    fs.writeFileSync(lockFilePath(current), String(pid));

    expect(() => restoreDatabase(current, backup)).toThrow(OperationError);
    expect(() => restoreDatabase(current, backup)).toThrow(`Quire is running (pid ${pid})`);
    expect(usernames(readOnly(current))).toEqual(['bob']);
    expect(fs.readdirSync(dir).filter((name) => name.includes('before-restore'))).toEqual([]);
  });

  it('is not blocked by the lock of a server that is gone', async () => {
    const backup = await backupWithAlice();
    const current = await currentWithBob();
    fs.writeFileSync(lockFilePath(current), String(DEAD_PID));

    restoreDatabase(current, backup);

    expect(usernames(readOnly(current))).toEqual(['alice']);
  });

  it('refuses an invalid backup without touching the current database', async () => {
    const current = await currentWithBob();
    const original = fs.readFileSync(current);
    const newer = tooNewDatabase('newer.db');
    fs.writeFileSync(file('noise.db'), randomBytes(8192));
    const entries = fs.readdirSync(dir).sort();

    expect(() => restoreDatabase(current, file('noise.db'))).toThrow(/noise\.db is not usable/);
    expect(() => restoreDatabase(current, newer)).toThrow(/newer version of Quire/);
    expect(() => restoreDatabase(current, file('missing.db'))).toThrow(/missing\.db does not exist/);

    expect(fs.readFileSync(current).equals(original)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(entries);
  });
});

describe('acquireServerLock', () => {
  it('writes this process’s pid beside the database, and the release removes it', async () => {
    const release = acquireServerLock(file('quire.db'));
    expect(fs.readFileSync(file('quire.db.lock'), 'utf8')).toBe(String(process.pid));

    release();

    expect(fs.existsSync(file('quire.db.lock'))).toBe(false);
  });

  it('refuses while another live process holds the lock', async () => {
    const pid = otherLiveProcess();
    fs.writeFileSync(lockFilePath(file('quire.db')), String(pid));

    expect(() => acquireServerLock(file('quire.db'))).toThrow(OperationError);
    expect(() => acquireServerLock(file('quire.db'))).toThrow(`Quire is already running on ${file('quire.db')} (pid ${pid})`);
    expect(fs.readFileSync(file('quire.db.lock'), 'utf8')).toBe(String(pid));
  });

  it('takes over a lock left by a process that is gone', async () => {
    fs.writeFileSync(lockFilePath(file('quire.db')), String(DEAD_PID));

    const release = acquireServerLock(file('quire.db'));

    expect(fs.readFileSync(file('quire.db.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });
});
