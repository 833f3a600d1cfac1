/**
 * Backups of a PostgreSQL site (src/ops/postgres-backup.ts): pg_dump archives taken while the site
 * writes, checked, restored; the programs found and checked; the password kept off command lines;
 * scheduled backups on two nodes, one an interval (src/ops/scheduled-backups.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addComment } from '../comments/queries';
import { deleteArticle, favoriteArticle, unfavoriteArticle } from '../articles/queries';
import type { Db } from '../db/client';
import { closeDatabase, readRow, readRows, runSql, tablesOf } from '../db/engine';
import { openPostgres } from '../db/postgres';
import type { LogLine } from '../lib/logger';
import { createSharedTestDb, insertArticle, insertUser, rowCount, type SharedTestDb } from '../test-support';
import { createEmptyPostgresDatabase } from '../test-support/postgres';
import { BackupInterrupted } from './backup';
import {
  backupPostgres,
  findPostgresTool,
  libpqEnvironment,
  postgresLabel,
  restorePostgres,
  verifyPostgresDump,
} from './postgres-backup';
import { backupOnOneNode, runScheduledBackup } from './scheduled-backups';

let dir: string;
let site: SharedTestDb;
let url: string;
let opened: Db[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-pg-backup-test-'));
  site = await createSharedTestDb('postgres');
  url = site.env.DATABASE_URL!;
  opened = [];
});

afterEach(async () => {
  for (const db of opened) await closeDatabase(db);
  await site.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A database opened as a node opens it, its connections kept open (the test pools close idle ones after a second). */
async function open(databaseUrl: string): Promise<Db> {
  const db = (await openPostgres(databaseUrl, { max: 2, pool: { idleTimeoutMillis: 0 } })) as unknown as Db;
  opened.push(db);
  await readRow(db, sql`select 1`);
  return db;
}

async function seed(db: Db) {
  const alice = await insertUser(db, 'alice');
  const bob = await insertUser(db, 'bob');
  const articles = [];
  for (let i = 0; i < 5; i++) articles.push(await insertArticle(db, alice.id, { title: `Article ${i}`, tagList: ['one', `tag${i}`] }));
  return { alice, bob, articles };
}

/** Each article's favorites_count against its favorites rows: equal in any one snapshot of the database. */
async function favoriteCountsAgree(db: Db): Promise<boolean> {
  const rows = await readRows<{ id: number; stored: number; counted: number }>(
    db,
    sql`select a.id, a.favorites_count as stored, (select count(*) from favorites f where f.article_id = a.id)::int as counted from articles a`,
  );
  return rows.every((row) => row.stored === row.counted);
}

/** An executable script standing in for one of PostgreSQL's programs. */
function fakeTool(folder: string, name: string, script: string): void {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
}

describe('finding pg_dump and pg_restore', () => {
  it('takes POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/N/bin, else PATH, and says what to install', () => {
    const root = path.join(dir, 'lib');
    fakeTool(path.join(root, '13', 'bin'), 'pg_dump', 'exit 0');
    fakeTool(path.join(root, '16', 'bin'), 'pg_dump', 'exit 0');
    fakeTool(path.join(root, '9', 'bin'), 'pg_restore', 'exit 0');
    fakeTool(path.join(dir, 'own'), 'pg_dump', 'exit 0');
    fakeTool(path.join(dir, 'path'), 'pg_restore', 'exit 0');

    expect(findPostgresTool('pg_dump', { binDir: path.join(dir, 'own'), root })).toBe(path.join(dir, 'own', 'pg_dump'));
    expect(findPostgresTool('pg_dump', { root })).toBe(path.join(root, '16', 'bin', 'pg_dump'));
    expect(findPostgresTool('pg_restore', { root: path.join(dir, 'none'), searchPath: path.join(dir, 'path') })).toBe(path.join(dir, 'path', 'pg_restore'));
    expect(() => findPostgresTool('pg_restore', { binDir: path.join(dir, 'own'), root })).toThrow(
      `POSTGRES_BIN_DIR=${path.join(dir, 'own')} holds no pg_restore. Install PostgreSQL's client programs`,
    );
    expect(() => findPostgresTool('pg_dump', { root: path.join(dir, 'none'), searchPath: path.join(dir, 'path') })).toThrow(
      /^pg_dump was not found\. Install PostgreSQL's client programs \(Debian: apt-get install postgresql-client/,
    );
  });

  it('refuses a pg_dump older than the server, which could not read it', async () => {
    fakeTool(path.join(dir, 'old'), 'pg_dump', 'echo "pg_dump (PostgreSQL) 9.6.24"');
    await expect(backupPostgres(url, path.join(dir, 'backup.dump'), { binDir: path.join(dir, 'old') })).rejects.toThrow(
      new RegExp(`^${path.join(dir, 'old', 'pg_dump')} is PostgreSQL 9's, older than the server \\(PostgreSQL 1\\d\\): pg_dump cannot back it up\\.`),
    );
    expect(fs.readdirSync(dir)).toEqual(['old']);
  });
});

describe('the connection given to pg_dump and pg_restore', () => {
  it('is libpq’s environment, the password in PGPASSWORD only', () => {
    const env = libpqEnvironment('postgres://quire%40site:p%3Ass%20word@db.example.com:6543/blog%20one?sslmode=no-verify', {});
    expect(env).toEqual({
      PGHOST: 'db.example.com',
      PGPORT: '6543',
      PGUSER: 'quire@site',
      PGPASSWORD: 'p:ss word',
      PGDATABASE: 'blog one',
      PGSSLMODE: 'require',
      PGAPPNAME: 'quire-backup',
    });
    expect(libpqEnvironment('postgres://quire@/quire?host=/var/run/postgresql', { HOME: '/home/q' })).toEqual({
      HOME: '/home/q',
      PGHOST: '/var/run/postgresql',
      PGUSER: 'quire',
      PGDATABASE: 'quire',
      PGAPPNAME: 'quire-backup',
    });
    expect(postgresLabel('postgres://quire:secret@db/quire')).toBe('postgres://quire:***@db/quire');
  });

  it('never puts the password on pg_dump’s command line', async () => {
    const seen = path.join(dir, 'seen.txt');
    fakeTool(
      path.join(dir, 'bin'),
      'pg_dump',
      `if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.0"; exit 0; fi\necho "args: $*" > ${seen}\necho "password: $PGPASSWORD" >> ${seen}\nexit 1`,
    );
    const withPassword = new URL(url);
    withPassword.password = 'hunter2-secret';
    const failed = backupPostgres(withPassword.toString(), path.join(dir, 'out', 'backup.dump'), { binDir: path.join(dir, 'bin') });
    await expect(failed).rejects.toThrow(/^pg_dump failed on postgres:\/\/postgres:\*\*\*@/);
    await expect(failed).rejects.not.toThrow(/hunter2/);
    const [args, password] = fs.readFileSync(seen, 'utf8').trim().split('\n');
    expect(args).toMatch(/^args: --format=custom --no-password --file=.*backup\.dump\.partial-\d+$/);
    expect(args).not.toContain('hunter2');
    expect(password).toBe('password: hunter2-secret');
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual([]);
  });
});

describe('backupPostgres', () => {
  it('writes a verified archive of one snapshot while the site writes, and it restores into an empty database', async () => {
    const { alice, bob, articles } = await seed(site.db);
    const writer = await site.connect();
    let stop = false;
    let writes = 0;
    const writing = (async () => {
      // the site goes on: comments, and favorites whose count moves in the same transaction
      for (let i = 0; !stop; i++) {
        const article = articles[i % articles.length]!;
        await addComment(writer, article.id, bob.id, `Comment ${i}`, Date.now());
        if (i % 2 === 0) await favoriteArticle(writer, alice.id, article.id, Date.now());
        else await unfavoriteArticle(writer, alice.id, articles[(i - 1) % articles.length]!.id);
        writes++;
      }
    })();
    while (writes < 5) await new Promise((resolve) => setImmediate(resolve));
    const before = writes;
    const file = path.join(dir, 'backups', 'busy.dump');

    const bytes = await backupPostgres(url, file);

    const during = writes - before;
    stop = true;
    await writing;
    expect(during).toBeGreaterThan(0);
    expect(bytes).toBe(fs.statSync(file).size);
    expect(fs.readdirSync(path.join(dir, 'backups'))).toEqual(['busy.dump']);

    const empty = await createEmptyPostgresDatabase();
    expect(await restorePostgres(empty, file)).toEqual({ keptAs: null, media: null });
    const restored = await open(empty);
    expect(await rowCount(restored, tablesOf(restored).articles)).toBe(5);
    const comments = await rowCount(restored, tablesOf(restored).comments);
    expect(comments).toBeGreaterThanOrEqual(before);
    expect(comments).toBeLessThanOrEqual(writes);
    expect(await favoriteCountsAgree(restored)).toBe(true);
    // the identity sequences came along: no id is given twice
    const next = await addComment(restored, articles[0]!.id, bob.id, 'After the restore', Date.now());
    expect(next).toBeGreaterThan(comments);
  });

  it('stops on its signal and leaves nothing behind', async () => {
    await seed(site.db);
    const interrupt = new AbortController();
    const folder = path.join(dir, 'backups');
    fs.mkdirSync(folder);
    // stopped as soon as pg_dump has created its file
    const watcher = fs.watch(folder, () => interrupt.abort());
    try {
      await expect(backupPostgres(url, path.join(folder, 'stopped.dump'), { signal: interrupt.signal })).rejects.toThrow(BackupInterrupted);
    } finally {
      watcher.close();
    }
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});

describe('verifyPostgresDump', () => {
  it('refuses a cut-off archive, a file that is not one, and a database that is not Quire’s', async () => {
    await seed(site.db);
    const file = path.join(dir, 'whole.dump');
    await backupPostgres(url, file);
    await expect(verifyPostgresDump(file)).resolves.toBeUndefined();

    const cut = path.join(dir, 'cut.dump');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2)));
    await expect(verifyPostgresDump(cut)).rejects.toThrow(`${cut} is not a readable pg_dump archive: pg_restore: error:`);
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a backup');
    await expect(verifyPostgresDump(text)).rejects.toThrow(`${text} is not a readable pg_dump archive`);

    // checked before it is put in place
    const other = path.join(dir, 'other.dump');
    await expect(backupPostgres(await createEmptyPostgresDatabase(), other)).rejects.toThrow(`${other} is not a backup of a Quire database`);
    expect(fs.existsSync(other)).toBe(false);
  });

  it('refuses an archive taken from a newer Quire (a migration this build does not know)', async () => {
    await runSql(site.db, sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', 4102444800000)`);
    const file = path.join(dir, 'future.dump');
    await expect(backupPostgres(url, file)).rejects.toThrow(`${file} was taken from a newer version of Quire: restore it with that version.`);
  });
});

describe('restorePostgres', () => {
  it('brings the content back, keeps the database as it was, and moves the cache versions past it', async () => {
    const { alice, articles } = await seed(site.db);
    const file = path.join(dir, 'before.dump');
    await backupPostgres(url, file);
    await deleteArticle(site.db, articles[0]!.id, Date.now());
    await insertUser(site.db, 'mallory');
    const versionsBefore = (await readRow<{ content: number }>(site.db, sql`select content from cache_versions where id = 1`))!.content;

    const node = await open(url);
    await expect(restorePostgres(url, file)).rejects.toThrow(/^Quire is running on postgres:\/\/.* \(\d+ connections? of its nodes\)\. Stop every node before restoring, or restore with --force/);
    expect(await rowCount(site.db, tablesOf(site.db).users)).toBe(3);
    const { keptAs } = await restorePostgres(url, file, { force: true, now: new Date('2026-03-04T05:06:07Z') });

    expect(keptAs).toBe(path.join(dir, 'quire-before-restore-20260304T050607Z.dump'));
    await expect(verifyPostgresDump(keptAs!)).resolves.toBeUndefined();
    // the node connected all along reads the restored site
    const { users, articles: articleTable } = tablesOf(node);
    expect((await node.select({ username: users.username }).from(users).orderBy(users.id)).map((u) => u.username)).toEqual(['alice', 'bob']);
    expect((await node.select().from(articleTable).where(eq(articleTable.id, articles[0]!.id)))[0]?.authorId).toBe(alice.id);
    const versionsAfter = (await readRow<{ content: number }>(node, sql`select content from cache_versions where id = 1`))!.content;
    expect(versionsAfter).toBeGreaterThan(versionsBefore);

    // a second restore within the same second keeps both keepsakes
    const again = await restorePostgres(url, file, { force: true, now: new Date('2026-03-04T05:06:07Z') });
    expect(again.keptAs).toBe(path.join(dir, 'quire-before-restore-20260304T050607Z-2.dump'));
  });
});

describe('scheduled backups on PostgreSQL', () => {
  it('two nodes sharing BACKUP_DIR take one backup an interval, whichever node comes first', async () => {
    await seed(site.db);
    const other = await site.connect();
    const folder = path.join(dir, 'backups');
    const logs: LogLine[] = [];
    const INTERVAL_MS = 60_000;
    const nodes = [site.db, other].map((db) => backupOnOneNode(db, url, { dir: folder, intervalMs: INTERVAL_MS }));
    const tick = (node: number, offsetMs: number) =>
      runScheduledBackup(nodes[node]!, {
        dir: folder,
        keep: 2,
        extension: '.dump',
        now: new Date(Date.UTC(2026, 0, 1) + offsetMs),
        log: (line) => logs.push(line),
      });
    const outcomes = () => logs.map((line) => `${line.msg} ${path.basename(String(line.file))}`);

    // both timers at once: one runs, the other finds it running (or done) and skips
    await Promise.all([tick(0, 0), tick(1, 1_000)]);
    expect(fs.readdirSync(folder)).toHaveLength(1);
    expect(logs.map((line) => line.msg).sort()).toEqual(['backup.done', 'backup.skipped']);
    await tick(1, 30_000);
    await tick(0, INTERVAL_MS);
    await tick(1, INTERVAL_MS + 10_000);
    // node 0's timer late: node 1 takes this interval's
    await tick(1, 2 * INTERVAL_MS + 5_000);
    await tick(0, 2 * INTERVAL_MS + 8_000);

    expect(outcomes().slice(2)).toEqual([
      'backup.skipped quire-20260101T000030Z.dump',
      'backup.done quire-20260101T000100Z.dump',
      'backup.skipped quire-20260101T000110Z.dump',
      'backup.done quire-20260101T000205Z.dump',
      'backup.skipped quire-20260101T000208Z.dump',
    ]);
    // BACKUP_KEEP=2
    expect(fs.readdirSync(folder).sort()).toEqual(['quire-20260101T000100Z.dump', 'quire-20260101T000205Z.dump']);
    expect(logs.find((line) => line.msg === 'backup.done' && String(line.file).endsWith('000205Z.dump'))).toMatchObject({ pruned: 1 });
  });
});
