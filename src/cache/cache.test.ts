import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { openDatabase, type Db } from '../db/client';
import { createTestClock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { Browser, countQueries, createTestApp, insertArticle, insertUser, testEnv } from '../test-support';
import { Versions } from './versions';

const opened: Db[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) db.$client.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Two connections to one database file: the server's, and another process's (the CLI's). */
function twoConnections() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-cache-'));
  dirs.push(dir);
  const file = path.join(dir, 'quire.db');
  const server = openDatabase(file);
  const other = openDatabase(file);
  opened.push(server, other);
  return { server, other };
}

describe('versions read from the database', () => {
  it('shows a write made through a second connection, as the CLI makes it, on the next anonymous request', async () => {
    const { server, other } = twoConnections();
    const app = createApp({ db: server, env: testEnv(), clock: createTestClock(), log: silentLog });
    const about = async () => (await new Browser(app).html('/about')).replace(/\s+/g, ' ');
    const home = async () => new Browser(app).html('/');
    expect(await about()).toContain('0 people have written 0 articles');
    expect(await home()).toContain('No articles are here yet.');
    // both pages are now cached, and served from the cache
    expect(await countQueries({ db: server }, about)).toBe(0);

    const author = await insertUser(other, 'outsider');
    await insertArticle(other, author.id, { title: 'Written elsewhere' });

    expect(await about()).toContain('1 person has written 1 article');
    expect(await home()).toContain('Written elsewhere');
  });

  it('moves the content version on every kind of write, and comments only their own', async () => {
    const t = await createTestApp();
    const versions = new Versions(t.db);
    const before = await versions.stamp({ kind: 'none' });
    const db = t.db.$client;
    db.prepare("insert into users (username, email, password_hash, created_at, updated_at) values ('u', 'u@x.org', 'x', 0, 0)").run();
    const afterUser = await versions.stamp({ kind: 'none' });
    expect(afterUser.content).toBeGreaterThan(before.content);

    db.prepare("insert into articles (slug, title, description, body, author_id, created_at, updated_at, published_at) values ('a', 'A', 'a', 'a', 1, 0, 0, 0)").run();
    const article = { kind: 'article', articleId: 1 } as const;
    const afterArticle = await versions.stamp(article);
    expect(afterArticle.content).toBeGreaterThan(afterUser.content);

    db.prepare("insert into comments (body, article_id, author_id, created_at, updated_at) values ('c', 1, 1, 0, 0)").run();
    expect(await versions.isCurrent(afterArticle)).toBe(false);
    // a comment leaves what shows no comments current
    expect(await versions.isCurrent(await versions.stamp({ kind: 'none' }))).toBe(true);
    expect((await versions.stamp({ kind: 'none' })).content).toBe(afterArticle.content);
    const all = await versions.stamp({ kind: 'all' });
    db.prepare('delete from comments').run();
    expect(await versions.isCurrent(all)).toBe(false);

    const mark = await versions.writeMark();
    db.prepare("insert into sessions (id, secret_hash, user_id, created_at, last_seen_at, expires_at) values ('s', x'00', 1, 0, 0, 0)").run();
    // session bookkeeping changes nothing a reader sees
    expect(await versions.writeMark()).toBe(mark);
  });
});

describe('CACHE=off', () => {
  it('keeps nothing: every anonymous visit is computed again', async () => {
    const t = await createTestApp({ env: { CACHE: 'off' } });
    const author = await insertUser(t.db, 'alice');
    await insertArticle(t.db, author.id, { title: 'Fresh' });
    await new Browser(t.app).get('/');
    expect(await countQueries(t, async () => new Browser(t.app).get('/'))).toBeGreaterThan(0);
    expect(await countQueries(t, async () => t.app.request('/api/articles'))).toBeGreaterThan(0);
    expect(await countQueries(t, async () => t.app.request('/api/articles'))).toBeGreaterThan(0);
  });
});
