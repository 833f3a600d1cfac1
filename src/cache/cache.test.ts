import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { tablesOf } from '../db/engine';
import { createTestClock } from '../lib/clock';
import { silentLog } from '../lib/logger';
import { Browser, countQueries, createSharedTestDb, createTestApp, insertArticle, insertUser, testEnv, type SharedTestDb } from '../test-support';
import { Versions } from './versions';

const shared: SharedTestDb[] = [];
afterEach(async () => {
  for (const database of shared.splice(0)) await database.close();
});

/** Two connections to one database: the server's, and another process's (the CLI's, another node's). */
async function twoConnections() {
  const database = await createSharedTestDb();
  shared.push(database);
  return { server: database.db, other: await database.connect() };
}

describe('versions read from the database', () => {
  it('shows a write made through a second connection, as the CLI makes it, on the next anonymous request', async () => {
    const { server, other } = await twoConnections();
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
    // plain INSERTs and DELETEs, not Quire's queries: the triggers move the versions
    const { users, articles, comments, sessions } = tablesOf(t.db);
    const epoch = new Date(0);
    await t.db.insert(users).values({ username: 'u', email: 'u@x.org', passwordHash: 'x', createdAt: epoch, updatedAt: epoch });
    const afterUser = await versions.stamp({ kind: 'none' });
    expect(afterUser.content).toBeGreaterThan(before.content);

    await t.db.insert(articles).values({ slug: 'a', title: 'A', description: 'a', body: 'a', authorId: 1, createdAt: epoch, updatedAt: epoch, publishedAt: epoch });
    const article = { kind: 'article', articleId: 1 } as const;
    const afterArticle = await versions.stamp(article);
    expect(afterArticle.content).toBeGreaterThan(afterUser.content);

    await t.db.insert(comments).values({ body: 'c', articleId: 1, authorId: 1, createdAt: epoch, updatedAt: epoch });
    expect(await versions.isCurrent(afterArticle)).toBe(false);
    // a comment leaves what shows no comments current
    expect(await versions.isCurrent(await versions.stamp({ kind: 'none' }))).toBe(true);
    expect((await versions.stamp({ kind: 'none' })).content).toBe(afterArticle.content);
    const all = await versions.stamp({ kind: 'all' });
    await t.db.delete(comments);
    expect(await versions.isCurrent(all)).toBe(false);

    const mark = await versions.writeMark();
    await t.db.insert(sessions).values({ id: 's', secretHash: Buffer.from([0]), userId: 1, createdAt: epoch, lastSeenAt: epoch, expiresAt: epoch });
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

describe('version checks on PostgreSQL', () => {
  it('share one read among the checks that arrive before it is sent, and never one already sent', async () => {
    const database = await createSharedTestDb('postgres');
    shared.push(database);
    const { db } = database;
    const versions = new Versions(db);
    const stamp = await versions.stamp({ kind: 'none' });
    const pool = (db as unknown as { $client: { query: (...args: unknown[]) => unknown } }).$client;
    const query = pool.query;
    let reads = 0;
    pool.query = function (this: unknown, ...args: unknown[]) {
      reads++;
      return query.apply(this, args);
    };
    try {
      // ten checks in one turn of the event loop: one read
      expect(await Promise.all(Array.from({ length: 10 }, () => versions.isCurrent(stamp)))).toEqual(Array(10).fill(true));
      expect(reads).toBe(1);
      // a check for an article's comments reads its own
      await Promise.all([versions.isCurrent(stamp), versions.isCurrent({ ...stamp, comments: { kind: 'article', articleId: 1 }, commentsVersion: 0 })]);
      expect(reads).toBe(3);
      // a check made once a read is on its way does not join it: a write committed meanwhile
      // (another node's) is seen by that check
      const otherNode = await database.connect();
      const sent = versions.isCurrent(stamp);
      await new Promise((resolve) => setImmediate(resolve));
      expect(reads).toBe(4);
      await insertUser(otherNode, 'ada');
      expect(await versions.isCurrent(stamp)).toBe(false);
      expect(reads).toBe(5);
      await sent;
    } finally {
      pool.query = query;
    }
  });
});
