/**
 * Backups with their images (src/ops/media-backup.ts), on the engine the tests run on: SQLite's
 * file copy or PostgreSQL's pg_dump, each with `<backup>.media/` beside it. Images go in through
 * the front door (POST /api/uploads) and are checked, after a restore, by the front door too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createSession } from '../auth/session';
import type { Db } from '../db/client';
import { closeDatabase, tablesOf } from '../db/engine';
import { openDatabaseFrom } from '../db/open';
import { createTestClock } from '../lib/clock';
import type { LogLine } from '../lib/logger';
import { silentLog } from '../lib/logger';
import { fileMediaStore, type MediaStore } from '../media/store';
import { createSharedTestDb, insertUser, ORIGIN, testEngine, testEnv, type SharedTestDb } from '../test-support';
import { createEmptyPostgresDatabase } from '../test-support/postgres';
import { startTestS3, type TestS3 } from '../test-support/s3';
import { s3MediaStore } from '../media/s3-store';
import { backupDatabase, OperationError, restoreDatabaseWithMedia } from './backup';
import { MANIFEST_NAME, mediaFolderOf } from './media-backup';
import { backupPostgres, restorePostgres } from './postgres-backup';
import { backupInChildProcess, runScheduledBackup, type TakeBackup } from './scheduled-backups';
import { verifyBackup } from './verify-backup';
import { solidJpeg, uploadForm } from '../test-support/images';

const engine = testEngine();
const EXTENSION = engine === 'sqlite' ? '.db' : '.dump';
/** pg_dump, or a child process through tsx, on a busy 2-core machine */
const SLOW = 60_000;

let dir: string;
let site: SharedTestDb;
let store: MediaStore;
let opened: Db[];
let s3: TestS3 | null;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-media-backup-'));
  site = await createSharedTestDb();
  store = fileMediaStore(path.join(dir, 'media'));
  opened = [];
  s3 = null;
});

afterEach(async () => {
  for (const db of opened) await closeDatabase(db);
  await site.close();
  await s3?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const photo = solidJpeg;

/** The site's app on `db` with `media`: what a node serves. */
function appOn(db: Db, media: MediaStore) {
  return createApp({ db, env: testEnv(), clock: createTestClock(), media, log: silentLog });
}

/** Two images uploaded through the API; answers their addresses (site-relative). */
async function uploadTwo(): Promise<string[]> {
  const app = appOn(site.db, store);
  await app.ready;
  const user = await insertUser(site.db, 'ada');
  const { token } = await createSession(site.db, user.id, { now: Date.now() });
  const urls: string[] = [];
  for (const [width, colour] of [
    [1200, '#2a7'],
    [300, '#a27'],
  ] as const) {
    const res = await app.request(`${ORIGIN}/api/uploads`, { method: 'POST', headers: { authorization: `Token ${token}` }, body: uploadForm(await photo(width, 200, colour)) });
    expect(res.status).toBe(201);
    urls.push(((await res.json()) as { upload: { url: string } }).upload.url.slice(ORIGIN.length));
  }
  return urls;
}

function backup(file: string, options: { media?: MediaStore; signal?: AbortSignal } = {}): Promise<number> {
  const media = options.media ?? store;
  return engine === 'sqlite'
    ? backupDatabase(site.env.DATABASE_PATH!, file, { media, signal: options.signal })
    : backupPostgres(site.env.DATABASE_URL!, file, { media, signal: options.signal });
}

/** Restores `file` into a new, empty site (a database and `media`); answers that site's database. */
async function restoreIntoNewSite(file: string, media: MediaStore): Promise<Db> {
  if (engine === 'sqlite') {
    const target = path.join(dir, 'restored', 'quire.db');
    await restoreDatabaseWithMedia(target, file, media);
    const db = await openDatabaseFrom({ DATABASE_PATH: target, DATABASE_URL: undefined });
    opened.push(db);
    return db;
  }
  const url = await createEmptyPostgresDatabase();
  await restorePostgres(url, file, { media });
  const db = await openDatabaseFrom({ DATABASE_PATH: '', DATABASE_URL: url });
  opened.push(db);
  return db;
}

/** What a restore into a new site does with `file`: the error it refuses with. */
async function restoreRefusal(file: string): Promise<unknown> {
  return restoreIntoNewSite(file, fileMediaStore(path.join(dir, `elsewhere-${Math.random()}`))).then(
    () => null,
    (error: unknown) => error,
  );
}

const list = async (media: MediaStore) => {
  const names: string[] = [];
  for await (const name of media.list()) names.push(name);
  return names.sort();
};

describe('a backup with its images', () => {
  it(
    'holds the database and every stored image, verified together, and a restore brings both back',
    async () => {
      const urls = await uploadTwo();
      const file = path.join(dir, 'backups', `site${EXTENSION}`);
      await backup(file);
      const stored = await list(store);
      expect(stored).toHaveLength(4); // 1200 wide: the original and its 480 and 960 copies; 300 wide: the original
      const folder = mediaFolderOf(file);
      expect(fs.readdirSync(folder).sort()).toEqual([...stored, MANIFEST_NAME].sort());
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, MANIFEST_NAME), 'utf8')) as { files: { name: string; bytes: number; sha256: string }[] };
      expect(manifest.files.map((entry) => entry.name)).toEqual(stored);
      for (const entry of manifest.files) expect(entry.bytes).toBe(fs.statSync(path.join(folder, entry.name)).size);
      expect((await verifyBackup(file)).media).toMatchObject({ files: 4 });

      // a new site, its images in another folder: the restore puts them there, then the database
      const elsewhere = fileMediaStore(path.join(dir, 'new-media'));
      const restored = await restoreIntoNewSite(file, elsewhere);
      expect(await list(elsewhere)).toEqual(stored);
      const app = appOn(restored, elsewhere);
      for (const url of urls) {
        const res = await app.request(`${ORIGIN}${url}`);
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals((await store.get(url.slice('/media/'.length)))!.bytes)).toBe(true);
      }
    },
    SLOW,
  );

  it(
    'restores its images into an S3-compatible store',
    async () => {
      const urls = await uploadTwo();
      const file = path.join(dir, 'backups', `site${EXTENSION}`);
      await backup(file);
      s3 = await startTestS3();
      const bucket = s3MediaStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
      const restored = await restoreIntoNewSite(file, bucket);
      expect(await list(bucket)).toEqual(await list(store));
      expect((await appOn(restored, bucket).request(`${ORIGIN}${urls[0]}`)).status).toBe(200);
    },
    SLOW,
  );

  it(
    'copies a bucket: the backup of a site on S3 holds its images as files',
    async () => {
      s3 = await startTestS3();
      store = s3MediaStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
      await uploadTwo();
      const file = path.join(dir, 'backups', `site${EXTENSION}`);
      await backup(file);
      expect(fs.readdirSync(mediaFolderOf(file)).filter((name) => name !== MANIFEST_NAME).sort()).toEqual(await list(store));
      expect((await verifyBackup(file)).media.files).toBe(4);
    },
    SLOW,
  );

  it(
    'fails verification, and restores nothing, when an image is missing or altered',
    async () => {
      const [url] = await uploadTwo();
      const file = path.join(dir, 'backups', `site${EXTENSION}`);
      await backup(file);
      const folder = mediaFolderOf(file);
      const original = path.join(folder, url!.slice('/media/'.length));
      const bytes = fs.readFileSync(original);

      fs.rmSync(original);
      await expect(verifyBackup(file)).rejects.toThrow(new RegExp(`site${EXTENSION}\\.media fails verification: ${path.basename(original)} is missing`));
      expect(await restoreRefusal(file)).toBeInstanceOf(OperationError);

      const altered = Buffer.from(bytes);
      altered[altered.length - 3]! ^= 0xff;
      fs.writeFileSync(original, altered);
      await expect(verifyBackup(file)).rejects.toThrow(/is damaged \(its SHA-256 differs from the manifest\)/);
      fs.writeFileSync(original, bytes.subarray(0, 100));
      await expect(verifyBackup(file)).rejects.toThrow(/is damaged \(100 bytes, not \d+\)/);
      expect(String(await restoreRefusal(file))).toMatch(/is damaged/);

      fs.writeFileSync(original, bytes);
      await expect(verifyBackup(file)).resolves.toMatchObject({ media: { files: 4 } });
      fs.rmSync(folder, { recursive: true });
      await expect(verifyBackup(file)).rejects.toThrow(/names 4 image files, but there is no .*\.media folder beside it/);
    },
    SLOW,
  );

  it(
    'needs no image an upload removed by moderation names, and fails when the store lacks one the database needs',
    async () => {
      const [first, second] = await uploadTwo();
      const { uploads } = tablesOf(site.db);
      const secondName = second!.slice('/media/'.length);
      await site.db.update(uploads).set({ removedAt: new Date(), removedCause: 'moderation' }).where(eq(uploads.url, second!));
      await store.delete(secondName);
      const file = path.join(dir, 'backups', `site${EXTENSION}`);
      await backup(file);
      expect((await verifyBackup(file)).media.files).toBe(3);

      await store.delete(first!.slice('/media/'.length));
      const again = path.join(dir, 'backups', `again${EXTENSION}`);
      await expect(backup(again)).rejects.toThrow(/lacks 1 image file the database names \([0-9a-f]{20}-1200x200\.jpg\): nothing was written/);
      expect(fs.readdirSync(path.join(dir, 'backups')).sort()).toEqual([`site${EXTENSION}`, `site${EXTENSION}.media`]);
    },
    SLOW,
  );

  it(
    'links the files an earlier backup in the folder holds instead of copying them again',
    async () => {
      await uploadTwo();
      const first = path.join(dir, 'backups', `one${EXTENSION}`);
      const second = path.join(dir, 'backups', `two${EXTENSION}`);
      await backup(first);
      await backup(second);
      for (const name of await list(store)) {
        expect(fs.statSync(path.join(mediaFolderOf(second), name)).ino).toBe(fs.statSync(path.join(mediaFolderOf(first), name)).ino);
      }
      // the older one removed, the newer one still holds every file whole
      fs.rmSync(first);
      fs.rmSync(mediaFolderOf(first), { recursive: true });
      expect((await verifyBackup(second)).media.files).toBe(4);
    },
    SLOW,
  );
});

describe('scheduled backups with images', () => {
  it(
    'keep each kept backup’s images beside it and prune them with it',
    async () => {
      await uploadTwo();
      const backups = path.join(dir, 'backups');
      // what the server runs: on SQLite `quire backup` in a child process, given the media folder
      const take: TakeBackup =
        engine === 'sqlite'
          ? backupInChildProcess({ databasePath: site.env.DATABASE_PATH!, mediaDir: path.join(dir, 'media') })
          : (file, signal) => backup(file, { signal });
      const logs: LogLine[] = [];
      for (const day of ['2026-01-01', '2026-01-02', '2026-01-03']) {
        await runScheduledBackup(take, { dir: backups, keep: 2, log: (line) => logs.push(line), now: new Date(`${day}T03:00:00Z`), extension: EXTENSION });
      }
      expect(logs.map((line) => line.msg)).toEqual(['backup.done', 'backup.done', 'backup.done']);
      const kept = [`quire-20260102T030000Z${EXTENSION}`, `quire-20260103T030000Z${EXTENSION}`];
      expect(fs.readdirSync(backups).sort()).toEqual([kept[0], `${kept[0]}.media`, kept[1], `${kept[1]}.media`]);
      for (const name of kept) expect((await verifyBackup(path.join(backups, name))).media.files).toBe(4);
    },
    SLOW * 2,
  );
});
