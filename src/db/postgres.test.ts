import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runtime } from '../runtime';
import { DatabaseTooNewError } from './client';
import {
  closePostgres,
  isRetryable,
  openPostgres,
  pgAnswers,
  pgOnOneNode,
  pgTransaction,
  TRANSACTION_ATTEMPTS,
  type PgDb,
} from './postgres';
import * as schema from './schema.pg';
import { createEmptyPostgresDatabase, createPostgresTestDb } from '../test-support/postgres';

const journal = () =>
  (JSON.parse(fs.readFileSync(path.join(runtime().pgMigrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries;

async function insertUser(db: PgDb, username: string) {
  const now = new Date();
  const [user] = await db
    .insert(schema.users)
    .values({ username, email: `${username}@example.com`, passwordHash: 'x', createdAt: now, updatedAt: now })
    .returning();
  return user!;
}

describe('openPostgres', () => {
  it('migrates once when several nodes start together on an empty database', async () => {
    const url = await createEmptyPostgresDatabase();
    const nodes = await Promise.all(Array.from({ length: 5 }, () => openPostgres(url, { max: 2 })));
    try {
      const applied = await nodes[0]!.execute(sql`select hash from drizzle.__drizzle_migrations`);
      expect(applied.rows).toHaveLength(journal().length);
      expect(new Set(applied.rows.map((row) => row.hash)).size).toBe(journal().length);
      // every node sees the whole schema, and the row the custom migration seeds
      for (const db of nodes) expect(await db.select().from(schema.cacheVersions)).toEqual([{ id: 1, content: 1, comments: 1 }]);
    } finally {
      await Promise.all(nodes.map(closePostgres));
    }
    // and a later start finds nothing to do
    const again = await openPostgres(url);
    expect((await again.execute(sql`select count(*) as n from drizzle.__drizzle_migrations`)).rows[0]!.n).toBe(journal().length);
    await closePostgres(again);
  });

  it('refuses a database migrated by a newer Quire', async () => {
    const url = await createEmptyPostgresDatabase();
    const db = await openPostgres(url);
    await db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${'f'.repeat(64)}, ${Date.now() + 1e9})`);
    await closePostgres(db);
    await expect(openPostgres(url)).rejects.toThrow(DatabaseTooNewError);
  });

  it('gives Drizzle the PostgreSQL schema, and reads int8 as numbers through this pool only', async () => {
    const db = await createPostgresTestDb();
    expect(db._.fullSchema).toBe(schema);
    await insertUser(db, 'ada');
    const [row] = await db.select({ n: sql<number>`count(*)`, big: sql<number>`9007199254740991::int8` }).from(schema.users);
    expect(row).toEqual({ n: 1, big: Number.MAX_SAFE_INTEGER });
    expect((await db.execute(sql`select count(*) as n from users`)).rows[0]).toEqual({ n: 1 });
    expect((await db.$client.query('select 2::int8 as n')).rows[0]).toEqual({ n: 2 });
    // a number beyond 2^53 would be silently wrong: the query fails instead
    const tooBig = (await db.execute(sql`select 9007199254740993::int8 as n`).catch((error: unknown) => error)) as Error;
    expect(tooBig.cause).toBeInstanceOf(RangeError);
    // nothing changed for anyone else
    expect(pg.types.getTypeParser(20, 'text')('5')).toBe('5');
  });

  it('round-trips timestamps to the millisecond, bytea as a Buffer, and identity ids', async () => {
    const db = await createPostgresTestDb();
    const user = await insertUser(db, 'ada');
    const at = new Date('2026-01-02T03:04:05.678Z');
    const secret = Buffer.from([0, 1, 2, 254, 255]);
    await db.insert(schema.sessions).values({ id: 's1', secretHash: secret, userId: user.id, createdAt: at, lastSeenAt: at, expiresAt: at });
    const [session] = await db.select().from(schema.sessions).where(eq(schema.sessions.id, 's1'));
    expect(session!.createdAt).toEqual(at);
    expect(Buffer.isBuffer(session!.secretHash) && session!.secretHash.equals(secret)).toBe(true);
    // ids given explicitly (a copied site) are kept; generated ones follow
    const now = new Date();
    await db.insert(schema.users).values({ id: 40, username: 'bob', email: 'b@example.com', passwordHash: 'x', createdAt: now, updatedAt: now });
    expect(user.id).toBe(1);
    expect((await insertUser(db, 'cy')).id).toBe(2);
  });
});

describe('the cache triggers on PostgreSQL', () => {
  const versions = async (db: PgDb) => {
    const [row] = await db.select().from(schema.cacheVersions);
    const perArticle = await db.select().from(schema.commentVersions).orderBy(schema.commentVersions.articleId);
    return { content: row!.content, comments: row!.comments, perArticle: perArticle.map((r) => [r.articleId, r.version]) };
  };

  it('move content for reader-visible writes, comments for comments, and forget a deleted article', async () => {
    const db = await createPostgresTestDb();
    expect(await versions(db)).toEqual({ content: 1, comments: 1, perArticle: [] });
    const user = await insertUser(db, 'ada');
    expect((await versions(db)).content).toBe(2);
    const now = new Date();
    const [article] = await db
      .insert(schema.articles)
      .values({ slug: 'a', title: 'A', description: 'd', body: 'b', authorId: user.id, createdAt: now, updatedAt: now })
      .returning();
    expect((await versions(db)).content).toBe(3);
    // a session moves nothing
    await db.insert(schema.sessions).values({ id: 's', secretHash: Buffer.alloc(1), userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: now });
    expect((await versions(db)).content).toBe(3);
    // a statement writing no row moves nothing, as SQLite's row triggers
    await db.update(schema.articles).set({ title: 'B' }).where(eq(schema.articles.id, -1));
    expect((await versions(db)).content).toBe(3);
    const [comment] = await db.insert(schema.comments).values({ body: 'c', articleId: article!.id, authorId: user.id, createdAt: now, updatedAt: now }).returning();
    expect(await versions(db)).toEqual({ content: 3, comments: 2, perArticle: [[article!.id, 1]] });
    await db.update(schema.comments).set({ body: 'c2' }).where(eq(schema.comments.id, comment!.id));
    await db.delete(schema.comments).where(eq(schema.comments.id, comment!.id));
    expect(await versions(db)).toEqual({ content: 3, comments: 4, perArticle: [[article!.id, 3]] });
    await db.insert(schema.comments).values({ body: 'again', articleId: article!.id, authorId: user.id, createdAt: now, updatedAt: now });
    await db.delete(schema.articles).where(eq(schema.articles.id, article!.id));
    // the article's delete and its comment's cascade: content moved, its comment version forgotten
    expect(await versions(db)).toEqual({ content: 4, comments: 6, perArticle: [] });
  });

  it('move once a statement, however many rows it writes (a row trigger kept one version of the row per row written)', async () => {
    const db = await createPostgresTestDb();
    const user = await insertUser(db, 'ada');
    const now = new Date();
    const made = await db
      .insert(schema.articles)
      .values(['a', 'b', 'c'].map((slug) => ({ slug, title: slug, description: 'd', body: 'b', authorId: user.id, createdAt: now, updatedAt: now })))
      .returning();
    expect(await versions(db)).toEqual({ content: 3, comments: 1, perArticle: [] });
    const [a, b, c] = made.map((article) => article.id) as [number, number, number];
    // three comments on two articles in one statement: each of those articles' versions once
    await db.insert(schema.comments).values(
      [a, a, b].map((articleId) => ({ body: 'x', articleId, authorId: user.id, createdAt: now, updatedAt: now })),
    );
    expect(await versions(db)).toEqual({ content: 3, comments: 2, perArticle: [[a, 1], [b, 1]] });
    await db.update(schema.comments).set({ body: 'y' });
    expect(await versions(db)).toEqual({ content: 3, comments: 3, perArticle: [[a, 2], [b, 2]] });
    // deleting two articles at once: content once, their comments' cascade once, both versions forgotten
    await db.delete(schema.articles).where(sql`${schema.articles.id} in (${a}, ${b})`);
    expect(await versions(db)).toEqual({ content: 4, comments: 4, perArticle: [] });
    // 5 000 rows in one transaction: one version row written per statement
    await db.transaction(async (tx) => {
      await tx.insert(schema.tags).values(Array.from({ length: 5000 }, (_, i) => ({ name: `tag-${i}` })));
      await tx.execute(sql`insert into article_tags (article_id, tag_id, position) select ${c}, id, id from tags`);
    });
    expect((await versions(db)).content).toBe(6);
  });
});

describe('pgTransaction', () => {
  it('lets one writer in at a time: concurrent read-then-write transactions take turns, on any pool', async () => {
    const db = await createPostgresTestDb();
    // a second pool on the same database stands for a second node
    const otherNode = await openPostgres(db.$client.options.connectionString!, { migrate: false });
    try {
      const events: string[] = [];
      let attempts = 0;
      const increment = (node: PgDb, who: string) =>
        pgTransaction(node, async (tx) => {
          attempts++;
          events.push(`${who} in`);
          const [row] = await tx.select().from(schema.cacheVersions);
          // long enough for the others to be waiting at the lock, if they could wait anywhere else
          await tx.execute(sql`select pg_sleep(0.05)`);
          await tx.update(schema.cacheVersions).set({ content: row!.content + 1 }).where(eq(schema.cacheVersions.id, 1));
          events.push(`${who} out`);
        });
      await Promise.all([increment(db, 'a'), increment(otherNode, 'b'), increment(db, 'c'), increment(otherNode, 'd')]);
      expect((await db.select().from(schema.cacheVersions))[0]!.content).toBe(5);
      // nobody retried, and each went out before the next came in
      expect(attempts).toBe(4);
      for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    } finally {
      await closePostgres(otherNode);
    }
  });

  it('runs again a transaction aborted by a write made outside it', async () => {
    const db = await createPostgresTestDb();
    let attempts = 0;
    const content = await pgTransaction(db, async (tx) => {
      attempts++;
      const [row] = await tx.select().from(schema.cacheVersions);
      // a single statement from elsewhere (it takes no writer lock) changes the row after it was read
      if (attempts === 1) await db.execute(sql`update cache_versions set content = content + 10 where id = 1`);
      await tx.update(schema.cacheVersions).set({ content: row!.content + 1 }).where(eq(schema.cacheVersions.id, 1));
      return row!.content + 1;
    });
    expect(attempts).toBe(2);
    expect(content).toBe(12);
    expect((await db.select().from(schema.cacheVersions))[0]!.content).toBe(12);
  });

  it('runs again a transaction chosen as a deadlock victim', async () => {
    const db = await createPostgresTestDb();
    const user = await insertUser(db, 'ada');
    let bothLocked!: () => void;
    const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
    let locked = 0;
    let attempts = 0;
    const lockCache = (run: (query: string) => Promise<unknown>) => run('select 1 from cache_versions where id = 1 for update');
    const lockUser = (run: (query: string) => Promise<unknown>) => run(`select 1 from users where id = ${user.id} for update`);
    // Quire's transaction locks the cache row, then the user's; another client's, the other way round
    const ours = pgTransaction(db, async (tx) => {
      attempts++;
      // it finds the deadlock first, so it is the victim (setting this needs a superuser, as the test cluster's is)
      await tx.execute(sql`set local deadlock_timeout = '50ms'`);
      const run = (query: string) => tx.execute(sql.raw(query));
      await lockCache(run);
      if (++locked === 2) bothLocked();
      if (locked <= 2) await barrier;
      await lockUser(run);
    });
    const client = await db.$client.connect();
    const theirs = (async () => {
      const run = (query: string) => client.query(query);
      await run('begin');
      await lockUser(run);
      if (++locked === 2) bothLocked();
      if (locked <= 2) await barrier;
      await lockCache(run);
      await run('commit');
    })().finally(() => client.release());
    await Promise.all([ours, theirs]);
    expect(attempts).toBe(2);
  });

  it('rolls back and does not retry other failures; a transaction inside joins the outer one', async () => {
    const db = await createPostgresTestDb();
    let attempts = 0;
    await expect(
      pgTransaction(db, async (tx) => {
        attempts++;
        await insertUser(tx as unknown as PgDb, 'ada');
        await pgTransaction(tx, async (inner) => {
          expect(inner).toBe(tx);
          await insertUser(inner as unknown as PgDb, 'bob');
        });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(attempts).toBe(1);
    expect(await db.select().from(schema.users)).toEqual([]);
    expect(isRetryable(Object.assign(new Error('wrapped'), { cause: { code: '40001' } }))).toBe(true);
    expect(isRetryable({ code: '23505' })).toBe(false);
  });

  it('gives up after TRANSACTION_ATTEMPTS serialization failures', async () => {
    const db = await createPostgresTestDb();
    let attempts = 0;
    const failure = Object.assign(new Error('could not serialize access'), { code: '40001' });
    await expect(
      pgTransaction(db, async () => {
        attempts++;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(attempts).toBe(TRANSACTION_ATTEMPTS);
  });
});

describe('pgAnswers', () => {
  it('is true while the server answers', async () => {
    expect(await pgAnswers(await createPostgresTestDb())).toBe(true);
  });

  it('is false when nothing listens, and within its time limit when the server never answers', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const down = await openPostgres(`postgres://postgres@127.0.0.1:${closed}/quire`, { migrate: false });
    expect(await pgAnswers(down)).toBe(false);
    await closePostgres(down);

    // accepts connections and says nothing: a hung server, or a network that drops packets
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hung = await openPostgres(`postgres://postgres@127.0.0.1:${(silent.address() as net.AddressInfo).port}/quire`, { migrate: false });
    const started = performance.now();
    expect(await pgAnswers(hung, 300)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
    for (const socket of sockets) socket.destroy();
    await closePostgres(hung).catch(() => {});
    await new Promise((resolve) => silent.close(resolve));
  });
});

describe('pgOnOneNode', () => {
  it('runs a job on one node at a time: another node skips it while it runs, and runs it after', async () => {
    const db = await createPostgresTestDb();
    const otherNode = await openPostgres(db.$client.options.connectionString!, { migrate: false });
    try {
      let release!: () => void;
      const running = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const started = new Promise<void>((resolve) => (entered = resolve));
      const first = pgOnOneNode(db, 42, async () => {
        entered();
        await running;
        return 'first';
      });
      await started;
      // the other node, and this node's other connections, find the job taken
      expect(await pgOnOneNode(otherNode, 42, async () => 'second')).toEqual({ ran: false });
      expect(await pgOnOneNode(db, 42, async () => 'second')).toEqual({ ran: false });
      // another job is not held up
      expect(await pgOnOneNode(otherNode, 43, async () => 'other')).toEqual({ ran: true, value: 'other' });
      release();
      expect(await first).toEqual({ ran: true, value: 'first' });
      expect(await pgOnOneNode(otherNode, 42, async () => 'later')).toEqual({ ran: true, value: 'later' });
      // a job that fails lets go of the lock too
      await expect(pgOnOneNode(db, 42, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await pgOnOneNode(otherNode, 42, async () => 'after failure')).toEqual({ ran: true, value: 'after failure' });
    } finally {
      await closePostgres(otherNode);
    }
  });
});
