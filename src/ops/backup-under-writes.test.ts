import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import { insertUser } from '../test-support';
import { backupDatabase, restoreDatabase } from './backup';

/** The size issue #14 measured the old backup at (never done after 240 s at 16 writes a second). */
const DATABASE_MB = 150;
const WRITES_PER_SECOND = 20;
/** A bound on the writer, should the test fail before stopping it: 60 s of writes. */
const MAX_WRITES = 60 * WRITES_PER_SECOND;
/**
 * The requirement itself, as the test's timeout: the backup of a 150 MB database finishes in under
 * 30 s while the site writes 20 times a second (and is then restored and checked, within the same 30 s).
 */
const BACKUP_DEADLINE_MS = 30_000;

const ROOT = path.resolve(import.meta.dirname, '../..');

let dir: string;
let writer: ChildProcess | null;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-backup-load-'));
  writer = null;
  const db = openDatabase(path.join(dir, 'quire.db'));
  try {
    await insertUser(db, 'alice');
    await insertUser(db, 'bob');
    // 150 MB in one transaction: a scratch table of 1 MB blobs, and one for the writer's rows
    db.$client.exec('create table ballast (id integer primary key, data blob not null); create table writes (id integer primary key, at integer not null)');
    const insert = db.$client.prepare('insert into ballast (data) values (randomblob(1024 * 1024))');
    db.$client.transaction(() => {
      for (let i = 0; i < DATABASE_MB; i++) insert.run();
    })();
  } finally {
    db.$client.close();
  }
}, 60_000);

afterEach(async () => {
  if (writer && writer.exitCode === null && writer.signalCode === null) {
    const exited = new Promise((resolve) => writer!.once('exit', resolve));
    writer.kill('SIGKILL');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * The site, writing from another process on a timer: each write adds a row and rewrites one of the
 * blobs (pages anywhere in the file change), and prints its row's id once committed.
 */
function startWriter(file: string): { acknowledged: () => number } {
  let acknowledged = 0;
  writer = spawn(
    process.execPath,
    [
      '-e',
      `const db = require('better-sqlite3')(process.argv[1]);
       db.pragma('busy_timeout = 5000');
       const add = db.prepare('insert into writes (at) values (?)');
       const rewrite = db.prepare('update ballast set data = randomblob(1024 * 1024) where id = ?');
       const write = db.transaction(() => {
         const { lastInsertRowid } = add.run(Date.now());
         rewrite.run(1 + Math.floor(Math.random() * ${DATABASE_MB}));
         return lastInsertRowid;
       });
       let count = 0;
       const timer = setInterval(() => {
         process.stdout.write(write() + '\\n');
         if (++count >= ${MAX_WRITES}) clearInterval(timer);
       }, ${1000 / WRITES_PER_SECOND});`,
      file,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  writer.stdout!.setEncoding('utf8').on('data', (text: string) => (acknowledged += text.split('\n').length - 1));
  return { acknowledged: () => acknowledged };
}

function firstWrites(site: { acknowledged: () => number }, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (site.acknowledged() < count) return;
      writer!.stdout!.off('data', check);
      resolve();
    };
    writer!.stdout!.on('data', check);
    writer!.once('exit', (code) => reject(new Error(`the writer exited with ${code}`)));
  });
}

it(
  `finishes a ${DATABASE_MB} MB backup while the site writes ${WRITES_PER_SECOND} times a second, and it restores`,
  async () => {
    const database = path.join(dir, 'quire.db');
    const backupFile = path.join(dir, 'backups', 'busy.db');
    const site = startWriter(database);
    await firstWrites(site, 3);
    const writtenBefore = site.acknowledged();
    const progress: number[] = [];

    const bytes = await backupDatabase(database, backupFile, { progress: (done) => progress.push(done) });

    const writtenDuring = site.acknowledged() - writtenBefore;
    writer!.kill('SIGTERM');
    expect(bytes).toBeGreaterThan(DATABASE_MB * 1024 * 1024);
    // one snapshot: the copy never started over (the old backup restarted at every write)
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(writtenDuring).toBeGreaterThan(0);

    const { keptAs } = restoreDatabase(path.join(dir, 'restored', 'quire.db'), backupFile);
    expect(keptAs).toBeNull();
    const restored = new Database(path.join(dir, 'restored', 'quire.db'), { readonly: true });
    try {
      expect(restored.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(restored.prepare('select username from users order by id').pluck().all()).toEqual(['alice', 'bob']);
      expect(restored.prepare('select count(*) from ballast').pluck().get()).toBe(DATABASE_MB);
      // every write acknowledged before the backup began is in it, in order and without a gap
      const ids = restored.prepare('select id from writes order by id').pluck().all() as number[];
      expect(ids.length).toBeGreaterThanOrEqual(writtenBefore);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
    } finally {
      restored.close();
    }
  },
  BACKUP_DEADLINE_MS,
);
