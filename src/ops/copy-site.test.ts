/**
 * `quire copy` between the engines (src/ops/copy-site.ts): a seeded site with a row in every table
 * copied SQLite -> PostgreSQL -> SQLite, verified, compared, and served from the copy; a destination
 * that holds a site refused; a source written during the copy read in one snapshot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createSession } from '../auth/session';
import { deleteArticle, favoriteArticle } from '../articles/queries';
import { addComment, deleteComment } from '../comments/queries';
import type { Db } from '../db/client';
import { closeDatabase, tablesOf } from '../db/engine';
import { openPostgres } from '../db/postgres';
import { createTestClock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { followUser } from '../profiles/queries';
import {
  Browser,
  createSharedTestDb,
  dom,
  insertArticle,
  insertUser,
  PASSWORD,
  rowCount,
  saveArticle,
  testEnv,
  type SharedTestDb,
} from '../test-support';
import { createEmptyPostgresDatabase } from '../test-support/postgres';
import { PROCESS_TEST_TIMEOUT_MS, Quire } from '../test-support/quire-process';
import { OperationError } from './backup';
import { copyMatches, copySite, formatCopyReport, type CopyReport, type SiteLocation } from './copy-site';

let dir: string;
let shared: SharedTestDb[];
let opened: Db[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-copy-test-'));
  shared = [];
  opened = [];
});

afterEach(async () => {
  for (const db of opened) await closeDatabase(db);
  for (const site of shared) await site.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function sharedSite(engine: 'sqlite' | 'postgres'): Promise<SharedTestDb & { location: SiteLocation }> {
  const site = await createSharedTestDb(engine);
  shared.push(site);
  const location: SiteLocation = engine === 'sqlite' ? { engine, path: site.env.DATABASE_PATH! } : { engine, url: site.env.DATABASE_URL! };
  return { ...site, location };
}

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0, 123);

/**
 * A site with rows in every table: users (with and without a bio), published articles with tags
 * in a given order, a draft, text beyond ASCII, comments (one deleted), favorites, follows and a
 * session; the newest article is deleted, so the next id is not max(id) + 1.
 */
async function seedSite(db: Db) {
  const alice = await insertUser(db, 'alice', { bio: 'Writes about gardens', image: 'https://example.com/a.png' });
  const bob = await insertUser(db, 'bob');
  const carol = await insertUser(db, 'carol');
  const roses = await insertArticle(db, alice.id, { title: 'Pruning roses', description: 'In March', body: 'Cut *above* an outward bud.', tagList: ['garden', 'roses'] });
  const cafe = await insertArticle(db, alice.id, { title: 'Café naïve ✓', description: 'Ünïcödé 🌹', body: 'Déjà vu, “quoted” — and a 🌹.', tagList: ['roses', 'unicode'] });
  await saveArticle(db, bob.id, { title: 'Unpublished thoughts', description: 'Draft', body: 'Not yet', tagList: ['garden'] }, NOW, { publish: false });
  // an uploaded image the article shows: its row, and the use the article's save recorded
  const heap = '/media/0123456789abcdef0123-1600x1200.jpg';
  await db.insert(tablesOf(db).uploads).values({ key: '0123456789abcdef0123', ownerId: bob.id, type: 'jpeg', width: 1600, height: 1200, bytes: 345_678, url: heap, createdAt: new Date(NOW) });
  const bobs = await insertArticle(db, bob.id, { title: 'Compost', description: 'Heat', body: `Turn it weekly.\n\n![The heap](${heap})`, tagList: [] });
  const doomed = await insertArticle(db, carol.id, { title: 'Deleted later', body: 'Gone' });
  await deleteArticle(db, doomed.id, NOW);
  await addComment(db, roses.id, bob.id, 'Thanks, worked well.', NOW);
  const removed = await addComment(db, roses.id, carol.id, 'Spam', NOW + 1);
  await deleteComment(db, roses.id, removed);
  await addComment(db, cafe.id, carol.id, 'Très bien', NOW + 2);
  await favoriteArticle(db, bob.id, roses.id, NOW);
  await favoriteArticle(db, carol.id, roses.id, NOW + 5);
  await favoriteArticle(db, alice.id, bobs.id, NOW + 7);
  await followUser(db, bob.id, alice.id, NOW);
  await followUser(db, carol.id, alice.id, NOW);
  const { token } = await createSession(db, alice.id, { now: Date.now(), userAgent: 'Firefox' });
  return { alice, roses, cafe, doomed, token };
}

function tableRows(report: CopyReport) {
  return Object.fromEntries(report.tables.map((table) => [table.name, table.rows]));
}

/** An app on a database opened as the server opens it. */
function appOn(db: Db) {
  return createApp({ db, env: testEnv(), clock: createTestClock(), log: silentLog });
}

async function searchTitles(browser: Browser, words: string): Promise<string[]> {
  return dom(await browser.html(`/search?q=${encodeURIComponent(words)}`))
    .querySelectorAll('.search-result h2 a')
    .map((a) => a.text);
}

/** Every copied table of a SQLite file, the search index and the next ids, as one value to compare. */
function sqliteContents(file: string) {
  const sqlite = new Database(file, { readonly: true });
  try {
    // by primary key: the rowid of a table keyed otherwise is SQLite's own, not the site's
    const tables = {
      users: 'id',
      sessions: 'id',
      articles: 'id',
      tags: 'id',
      article_tags: 'article_id, tag_id',
      comments: 'id',
      favorites: 'user_id, article_id',
      follows: 'follower_id, followed_id',
    };
    return {
      ...Object.fromEntries(Object.entries(tables).map(([name, key]) => [name, sqlite.prepare(`select * from "${name}" order by ${key}`).all()])),
      articles_fts: sqlite.prepare('select rowid, title, description, body, tags from articles_fts order by rowid').all(),
      sqlite_sequence: sqlite.prepare('select name, seq from sqlite_sequence order by name').all(),
    };
  } finally {
    sqlite.close();
  }
}

describe('quire copy', () => {
  it('copies a SQLite site to PostgreSQL, verified table by table, and the copy serves it', async () => {
    const source = await sharedSite('sqlite');
    const seeded = await seedSite(source.db);
    const url = await createEmptyPostgresDatabase();
    const copied: string[] = [];

    const report = await copySite(source.location, { engine: 'postgres', url }, { progress: (table) => void copied.push(table) });

    expect(copyMatches(report)).toBe(true);
    expect(tableRows(report)).toEqual({
      site_pages: 0,
      site_settings: 0,
      // the deleted article's address, kept so it is never given to another
      article_slugs: 1,
      audit_log: 0,
      invitations: 0,
      reports: 0,
      account_tokens: 0,
      mail_outbox: 0,
      media_uses: 1,
      notification_preferences: 0,
      notifications: 0,
      recovery_codes: 0,
      users: 3,
      sessions: 1,
      uploads: 1,
      articles: 4,
      tags: 3,
      article_tags: 5,
      comments: 2,
      favorites: 3,
      follows: 2,
      'search index': 4,
    });
    // parents before children
    expect(copied).toEqual([
      'site_pages',
      'site_settings',
      'tags',
      'users',
      'account_tokens',
      'articles',
      'article_slugs',
      'article_tags',
      'audit_log',
      'comments',
      'favorites',
      'follows',
      'invitations',
      'mail_outbox',
      'media_uses',
      'notification_preferences',
      'notifications',
      'recovery_codes',
      'reports',
      'sessions',
      'uploads',
      'search index',
    ]);
    expect(report.skipped.map((table) => table.name)).toEqual(['cache_versions', 'comment_versions', 'rate_limit_buckets', 'throttle_counters']);
    expect(formatCopyReport(report)).toMatch(/^users\s+3\s+[0-9a-f]{16}\s+[0-9a-f]{16}\s+ok$/m);

    const db = (await openPostgres(url)) as unknown as Db;
    opened.push(db);
    const app = appOn(db);
    // the old password, and the session that was open at the source
    const browser = new Browser(app);
    const signIn = await browser.post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect([signIn.status, signIn.headers.get('location')]).toEqual([303, '/']);
    const returning = new Browser(app);
    returning.cookies.set('session', seeded.token);
    expect(dom(await returning.html('/settings')).querySelector('input[name=email]')?.getAttribute('value')).toBe('alice@example.com');

    const home = await browser.html('/');
    for (const title of ['Pruning roses', 'Café naïve ✓', 'Compost']) expect(home).toContain(title);
    expect(home).not.toContain('Unpublished thoughts');
    const article = dom(await browser.html(`/article/${seeded.cafe.slug}`));
    expect(article.querySelector('.article-content')?.text).toContain('Déjà vu, “quoted” — and a 🌹.');
    expect(article.text).toContain('Très bien');
    expect(dom(await browser.html('/tag/roses')).querySelectorAll('.preview-link h1').map((h) => h.text)).toEqual(['Café naïve ✓', 'Pruning roses']);
    expect(await searchTitles(browser, 'deja')).toEqual(['Café naïve ✓']);
    expect(await searchTitles(browser, 'outward')).toEqual(['Pruning roses']);
    const { articles } = tablesOf(db);
    const roses = (await db.select().from(articles).where(eq(articles.id, seeded.roses.id)))[0]!;
    expect(roses.favoritesCount).toBe(2);

    // the next ids follow the source's: the deleted article's id is not given again
    const written = await browser.post('/editor', { title: 'Written on PostgreSQL', description: 'New', body: 'Fresh', tagList: ['garden'] });
    expect(written.status).toBe(303);
    const fresh = (await db.select().from(articles).where(eq(articles.slug, 'written-on-postgresql')))[0]!;
    expect(fresh.id).toBe(seeded.doomed.id + 1);
    expect(await browser.html('/tag/garden')).toContain('Written on PostgreSQL');
  });

  it('copies back from PostgreSQL to SQLite: the round trip gives the same rows, index and next ids', async () => {
    const source = await sharedSite('sqlite');
    const seeded = await seedSite(source.db);
    const url = await createEmptyPostgresDatabase();
    const back = path.join(dir, 'back', 'quire.db');

    expect(copyMatches(await copySite(source.location, { engine: 'postgres', url }))).toBe(true);
    const report = await copySite({ engine: 'postgres', url }, { engine: 'sqlite', path: back });

    expect(copyMatches(report)).toBe(true);
    expect(report.tables.map((table) => table.rows)).toEqual([0, 0, 3, 3, 0, 4, 1, 5, 0, 2, 3, 2, 0, 0, 1, 0, 0, 0, 0, 1, 1, 4]);
    expect(sqliteContents(back)).toEqual(sqliteContents(source.env.DATABASE_PATH!));
    const db = (await import('../db/client')).openDatabase(back);
    opened.push(db);
    const browser = new Browser(appOn(db));
    expect((await browser.post('/login', { email: 'alice@example.com', password: PASSWORD })).status).toBe(303);
    expect(await searchTitles(browser, 'roses')).toEqual(['Pruning roses', 'Café naïve ✓']);
    const created = await insertArticle(db, seeded.alice.id, { title: 'Back on SQLite' });
    expect(created.id).toBe(seeded.doomed.id + 1);
  });

  it('indexes an article the source’s index lacks from its body, rendered as saving it renders it', async () => {
    const source = await sharedSite('sqlite');
    const seeded = await seedSite(source.db);
    source.db.$client.prepare('delete from articles_fts where rowid = ?').run(seeded.roses.id);
    const url = await createEmptyPostgresDatabase();

    const report = await copySite(source.location, { engine: 'postgres', url });

    expect(copyMatches(report)).toBe(true);
    expect(tableRows(report)['search index']).toBe(4);
    const db = (await openPostgres(url)) as unknown as Db;
    opened.push(db);
    // the Markdown's text, without its asterisks
    expect(await searchTitles(new Browser(appOn(db)), 'above outward')).toEqual(['Pruning roses']);
  });

  it('refuses a destination that holds a site, and leaves it as it was', async () => {
    const source = await sharedSite('sqlite');
    await seedSite(source.db);
    const target = await sharedSite('postgres');
    await insertUser(target.db, 'someone');
    const before = await rowCount(target.db, tablesOf(target.db).users);

    const refused = copySite(source.location, target.location);
    await expect(refused).rejects.toThrow(OperationError);
    await expect(refused).rejects.toThrow(/already holds a site \(rows in users\): quire copy only fills an empty database/);
    expect(await rowCount(target.db, tablesOf(target.db).users)).toBe(before);
    expect(await rowCount(target.db, tablesOf(target.db).articles)).toBe(0);

    // a SQLite file holding a site, and the source itself
    const other = await sharedSite('sqlite');
    await insertUser(other.db, 'someone');
    await expect(copySite(target.location, other.location)).rejects.toThrow(/already holds a site \(rows in users\)/);
    const samePath = path.relative(process.cwd(), source.env.DATABASE_PATH!);
    await expect(copySite(source.location, { engine: 'sqlite', path: samePath })).rejects.toThrow('The source and the destination are the same database.');
  });

  it('a failed copy leaves the destination as it was: empty, or no file at all', async () => {
    const source = await sharedSite('sqlite');
    await seedSite(source.db);
    const { articles } = tablesOf(source.db);
    // Quire keeps U+0000 out of what it stores (src/lib/text.ts); a SQLite database from before may hold it
    await source.db.update(articles).set({ description: 'nul \u0000 here' }).where(eq(articles.title, 'Compost'));
    const url = await createEmptyPostgresDatabase();
    await expect(copySite(source.location, { engine: 'postgres', url })).rejects.toThrow(
      /^articles \(id \d+\) holds U\+0000 in description, which PostgreSQL's text cannot store/,
    );
    await source.db.update(articles).set({ description: 'fixed' }).where(eq(articles.title, 'Compost'));
    expect(copyMatches(await copySite(source.location, { engine: 'postgres', url }))).toBe(true);

    // a SQLite destination the copy created is removed
    const failing = copySite(source.location, { engine: 'sqlite', path: path.join(dir, 'new.db') }, {
      progress: (table) => {
        if (table === 'articles') throw new Error('the disk is full');
      },
    });
    await expect(failing).rejects.toThrow('the disk is full');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('says which table differs when the destination does not keep what was written', async () => {
    const source = await sharedSite('sqlite');
    await seedSite(source.db);
    // a destination that changes rows as they arrive: what a read-back must catch
    const file = path.join(dir, 'tampered.db');
    const prepared = (await import('../db/client')).openDatabase(file);
    prepared.$client.exec("create trigger tamper after insert on follows begin update follows set created_at = created_at + 1 where follower_id = new.follower_id; end");
    prepared.$client.close();

    const report = await copySite(source.location, { engine: 'sqlite', path: file });

    expect(copyMatches(report)).toBe(false);
    const lines = formatCopyReport(report).split('\n');
    expect(lines.filter((line) => line.endsWith('DIFFERS')).map((line) => line.split(' ')[0])).toEqual(['follows']);
    expect(lines.filter((line) => line.endsWith(' ok'))).toHaveLength(21);
  });

  for (const engine of ['sqlite', 'postgres'] as const) {
    it(`reads a ${engine} source in one snapshot: what the site writes during the copy is not in it`, async () => {
      const source = await sharedSite(engine);
      const seeded = await seedSite(source.db);
      const writer = await source.connect();
      const target: SiteLocation = engine === 'sqlite' ? { engine: 'postgres', url: await createEmptyPostgresDatabase() } : { engine: 'sqlite', path: path.join(dir, 'copy.db') };
      let wrote = false;

      const report = await copySite(source.location, target, {
        pageRows: 2,
        progress: async (table) => {
          if (table !== 'users' || wrote) return;
          wrote = true;
          // the site goes on: a new user, article and favorites, committed after users were copied
          const dave = await insertUser(writer, 'dave');
          const article = await insertArticle(writer, dave.id, { title: 'Written meanwhile', tagList: ['garden'] });
          await favoriteArticle(writer, dave.id, seeded.roses.id, NOW);
          await favoriteArticle(writer, dave.id, article.id, NOW);
        },
      });

      expect(wrote).toBe(true);
      expect(copyMatches(report)).toBe(true);
      expect(tableRows(report)).toMatchObject({ users: 3, articles: 4, favorites: 3, 'search index': 4 });
      expect(await rowCount(writer, tablesOf(writer).users)).toBe(4);
    });
  }
});

describe('quire copy, the command', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('prints the table of counts and checksums, never the password, and refuses to copy twice', async () => {
    const source = await sharedSite('sqlite');
    await seedSite(source.db);
    const url = new URL(await createEmptyPostgresDatabase());
    url.password = 'not-shown-anywhere';
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, DATABASE_PATH: source.env.DATABASE_PATH! };
    const run = async (args: string[]) => {
      const quire = new Quire(args, env);
      const code = await quire.exited;
      return { code, stdout: quire.stdout, stderr: quire.stderr };
    };

    // --to alone: from the configured database
    const first = await run(['copy', '--to', url.toString()]);
    expect(first.stderr).toContain(`Copying ${source.env.DATABASE_PATH} (SQLite) to postgres://postgres:***@`);
    expect(first.stdout).toMatch(/^table\s+rows\s+source sha256\s+destination$/m);
    expect(first.stdout).toMatch(/^article_tags\s+5\s+([0-9a-f]{16})\s+\1\s+ok$/m);
    expect(first.stdout).toMatch(/^cache_versions\s+not copied/m);
    expect(first.stdout).toMatch(/Copied 30 rows in [\d.]+ s \(\d+ rows a second\); read back and compared in [\d.]+ s: every table matches\.\n$/);
    expect(first.code).toBe(0);

    const second = await run(['copy', '--from', source.env.DATABASE_PATH!, '--to', url.toString()]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/quire: postgres:\/\/postgres:\*\*\*@.* already holds a site \(rows in tags, users, articles, article_slugs, article_tags, comments, favorites, follows, media_uses, sessions, uploads\)/);
    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) expect(output).not.toContain('not-shown-anywhere');

    const usage = await run(['copy']);
    expect([usage.code, usage.stderr]).toEqual([2, 'quire: copy needs --from SOURCE, --to DESTINATION, or both\nRun "quire --help" for the commands.\n']);
  });
});
