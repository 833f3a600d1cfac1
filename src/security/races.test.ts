/**
 * Requests that race each other: many sign-ups for one name at once, many renames to one name,
 * and an article deleted while a comment or an edit for it is still arriving. Every answer is a
 * 2xx, 3xx or 4xx (never a 500 from a unique index, a foreign key or a missing row), the name ends
 * up with exactly one account, and nothing is left behind.
 */
import { describe, expect, it } from 'vitest';
import { lastMailTo, linkIn } from '../account-links/test-helpers';
import { NO_SUCH_ARTICLE } from '../articles/use-cases';
import { createSession } from '../auth/session';
import { eq, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { articles, articleTags, comments, favorites, tags, users } from '../db/schema';
import {
  createTestApp,
  formBody,
  type Browser,
  insertArticle,
  insertUser,
  ORIGIN,
  PASSWORD,
  rowCount,
  runSql,
  signedInBrowser,
  testEngine,
  type TestApp,
} from '../test-support';

const CONCURRENT = 24;

/**
 * Rows that point at an article, a user or a search entry that no longer exists. On SQLite, also
 * FTS5's rows and what `foreign_key_check` finds; PostgreSQL always enforces foreign keys.
 */
async function orphans(db: Db): Promise<Record<string, number>> {
  const relational = {
    articleTags: await rowCount(db, articleTags, notInArray(articleTags.articleId, db.select({ id: articles.id }).from(articles))),
    comments: await rowCount(db, comments, notInArray(comments.articleId, db.select({ id: articles.id }).from(articles))),
    favorites: await rowCount(db, favorites, notInArray(favorites.articleId, db.select({ id: articles.id }).from(articles))),
  };
  if (testEngine() !== 'sqlite') return relational;
  const count = (text: string) => (db.$client.prepare(text).pluck().get() as number);
  return {
    articlesFts: count('select count(*) from articles_fts where rowid not in (select id from articles)'),
    articlesWithoutSearchRow: count('select count(*) from articles where id not in (select rowid from articles_fts)'),
    ...relational,
    foreignKeys: (db.$client.pragma('foreign_key_check') as unknown[]).length,
  };
}

const NO_ORPHANS = {
  ...(testEngine() === 'sqlite' && { articlesFts: 0, articlesWithoutSearchRow: 0, foreignKeys: 0 }),
  articleTags: 0,
  comments: 0,
  favorites: 0,
};

const usersNamed = (db: Db, name: string) => rowCount(db, users, sql`lower(${users.username}) = lower(${name})`);

/**
 * A writer the use cases' checks cannot see: triggers that take the name within the very insert or
 * update ('late' as a username, 'late@example.com' as an email), in each engine's own SQL.
 */
const SQUATTERS_SQLITE = `
  create temp trigger squat_insert before insert on users when new.username = 'late'
  begin insert into users (username, email, password_hash, created_at, updated_at) values ('LATE', 'squatter@example.com', 'x', 0, 0); end;
  create temp trigger squat_update before update of email on users when new.email = 'late@example.com'
  begin insert into users (username, email, password_hash, created_at, updated_at) values ('squatter', 'LATE@example.com', 'x', 0, 0); end;
`;
const SQUATTERS_POSTGRES = `
  create function squat_insert() returns trigger language plpgsql as $$ begin
    insert into users (username, email, password_hash, created_at, updated_at) values ('LATE', 'squatter@example.com', 'x', now(), now());
    return new;
  end $$;
  create trigger squat_insert before insert on users for each row when (new.username = 'late') execute function squat_insert();
  create function squat_update() returns trigger language plpgsql as $$ begin
    insert into users (username, email, password_hash, created_at, updated_at) values ('squatter', 'LATE@example.com', 'x', now(), now());
    return new;
  end $$;
  create trigger squat_update before update of email on users for each row when (new.email = 'late@example.com') execute function squat_update();
`;

function apiPost(t: TestApp, path: string, body: unknown, token?: string, method = 'POST') {
  return t.app.request(`${ORIGIN}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Token ${token}` }) },
    body: JSON.stringify(body),
  });
}

function formPost(t: TestApp, path: string, fields: Record<string, string | string[]>, cookie?: string) {
  return t.app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...(cookie && { cookie }) },
    body: formBody(fields),
  });
}

/**
 * A body that arrives in two parts: the request starts with its length declared (so nothing
 * reads it before the route does), `reading` resolves when the route starts reading it, and the
 * rest comes when `finish()` is called.
 */
function slowBody(text: string) {
  const bytes = new TextEncoder().encode(text);
  let startedReading!: () => void;
  const reading = new Promise<void>((resolve) => (startedReading = resolve));
  let finish!: () => void;
  const rest = new Promise<void>((resolve) => (finish = resolve));
  let sentFirst = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentFirst) {
        sentFirst = true;
        startedReading();
        controller.enqueue(bytes.slice(0, 3));
        return;
      }
      await rest;
      controller.enqueue(bytes.slice(3));
      controller.close();
    },
  });
  return { body, length: String(bytes.length), reading, finish };
}

/** A same-site form post whose body is held back after its first bytes, until `finish()`. */
function slowFormPost(browser: Browser, path: string, fields: Record<string, string>) {
  const slow = slowBody(formBody(fields).toString());
  const response = browser.request(path, {
    method: 'POST',
    body: slow.body,
    duplex: 'half',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': slow.length, origin: ORIGIN },
  } as RequestInit);
  return { response, reading: slow.reading, finish: slow.finish };
}

describe('races', () => {
  it('lets exactly one of many concurrent sign-ups for one name through, the others 409 or 422', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        i % 2 === 0
          ? apiPost(t, '/api/users', { user: { username: i % 4 === 0 ? 'racer' : 'RACER', email: `racer${i}@example.com`, password: PASSWORD } })
          : formPost(t, '/register', { username: 'Racer', email: `r${i}@example.com`, password: PASSWORD }),
      ),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201 || s === 303)).toHaveLength(1);
    for (const [i, res] of answers.entries()) {
      if (res.status === 201 || res.status === 303) continue;
      // the API answers a taken name as RealWorld does; the form re-shows the page with the error
      expect(res.status).toBe(i % 2 === 0 ? 409 : 422);
      expect(await res.text()).toContain(i % 2 === 0 ? 'has already been taken' : 'Username has already been taken');
    }
    expect(await usersNamed(t.db, 'racer')).toBe(1);
  });

  it('lets one of many concurrent sign-ups with one email through', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        apiPost(t, '/api/users', { user: { username: `racer${i}`, email: i % 2 ? 'same@example.com' : 'SAME@example.com', password: PASSWORD } }),
      ),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, ...Array<number>(CONCURRENT - 1).fill(409)]);
    expect(await rowCount(t.db, users, sql`lower(${users.email}) = 'same@example.com'`)).toBe(1);
  });

  it('lets one of many users renaming themselves to one name at once have it', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const tokens: string[] = [];
    for (let i = 0; i < CONCURRENT; i++) {
      const user = await insertUser(t.db, `renamer${i}`);
      tokens.push((await createSession(t.db, user.id, { now: t.clock() })).token);
    }
    const answers = await Promise.all(
      tokens.map((token, i) =>
        i % 2 === 0
          ? apiPost(t, '/api/user', { user: { username: 'wanted', email: 'wanted@example.com' } }, token, 'PUT')
          : formPost(t, '/settings', { username: 'Wanted', email: `renamer${i}@example.com`, bio: '', image: '' }, `session=${token}`),
      ),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200 || s === 303)).toHaveLength(1);
    for (const [i, res] of answers.entries()) {
      if (res.status === 200 || res.status === 303) continue;
      expect(res.status).toBe(i % 2 === 0 ? 409 : 422);
    }
    expect(await usersNamed(t.db, 'wanted')).toBe(1);
  });

  it('answers a name the unique index refuses after every check as taken (409 or 422), not 500', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const someone = await insertUser(t.db, 'someone');
    const token = (await createSession(t.db, someone.id, { now: t.clock() })).token;
    // a writer the use cases' checks cannot see: it takes the name within the very insert or update
    await runSql(t.db, testEngine() === 'sqlite' ? SQUATTERS_SQLITE : SQUATTERS_POSTGRES);
    const signUp = await apiPost(t, '/api/users', { user: { username: 'late', email: 'late1@example.com', password: PASSWORD } });
    expect(signUp.status).toBe(409);
    expect(await signUp.json()).toEqual({ errors: { username: ['has already been taken'] } });
    const form = await formPost(t, '/register', { username: 'late', email: 'late2@example.com', password: PASSWORD });
    expect(form.status).toBe(422);
    const page = await form.text();
    expect(page).toContain('Username has already been taken');
    expect(page).toContain('late2@example.com');
    // a new address applies when its confirmation link is followed (src/account-links/): the race is there
    const rename = await apiPost(t, '/api/user', { user: { email: 'late@example.com' } }, token, 'PUT');
    expect(rename.status).toBe(200);
    const link = linkIn(await lastMailTo(t.db, 'late@example.com', 'email-confirm'), '/confirm-email/');
    const confirm = await formPost(t, link, {});
    expect(confirm.status).toBe(409);
    expect(await confirm.text()).toContain('This address is now used by another account');
    // each refusal rolled back whole: no account, no squatter
    expect(await t.db.select({ username: users.username }).from(users)).toEqual([{ username: 'someone' }]);
  });

  it('answers 404 to a comment still arriving when its article is deleted, and keeps no comment', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const { browser: author, user } = await signedInBrowser(t, 'author');
    const { browser: reader } = await signedInBrowser(t, 'reader');
    const article = await insertArticle(t.db, user.id, { title: 'Going away', tagList: ['gone'] });
    await reader.post(`/article/${article.slug}/favorite`);

    const slow = slowFormPost(reader, `/article/${article.slug}/comments`, { body: 'A comment typed slowly' });
    await slow.reading;
    expect((await author.post(`/article/${article.slug}/delete`)).status).toBe(303);
    slow.finish();

    const res = await slow.response;
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(NO_SUCH_ARTICLE);
    expect(await rowCount(t.db, comments)).toBe(0);
    expect(await orphans(t.db)).toEqual(NO_ORPHANS);
  });

  it('answers 404 to an edit still arriving when its article is deleted, and leaves no search row', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const { browser: author, user } = await signedInBrowser(t, 'author');
    const article = await insertArticle(t.db, user.id, { title: 'Going away', tagList: ['gone'] });

    const fields = { title: 'A new title', description: 'New', body: 'New body', tag: 'new', op: 'publish' };
    const slow = slowFormPost(author, `/editor/${article.slug}`, fields);
    await slow.reading;
    expect((await author.post(`/article/${article.slug}/delete`)).status).toBe(303);
    slow.finish();

    const res = await slow.response;
    expect(res.status).toBe(404);
    expect(author.cookies.get('flash') ?? '').not.toContain('updated');
    expect(await rowCount(t.db, articles)).toBe(0);
    expect(await orphans(t.db)).toEqual(NO_ORPHANS);
  });

  it('answers 404 to API comments and updates whose bodies arrive around a delete, with nothing left behind', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const author = await insertUser(t.db, 'author');
    const reader = await insertUser(t.db, 'reader');
    const authorToken = (await createSession(t.db, author.id, { now: t.clock() })).token;
    const readerToken = (await createSession(t.db, reader.id, { now: t.clock() })).token;
    const send = (path: string, method: string, token: string, body: ReturnType<typeof slowBody>) =>
      t.app.request(`${ORIGIN}${path}`, {
        method,
        body: body.body,
        duplex: 'half',
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Token ${token}` },
      } as RequestInit);
    for (let round = 0; round < 4; round++) {
      const article = await insertArticle(t.db, author.id, { title: `Round ${round}`, tagList: ['race', `r${round}`] });
      const path = `/api/articles/${article.slug}`;
      await apiPost(t, `${path}/favorite`, {}, readerToken);
      const bodies = Array.from({ length: 8 }, (_, i) =>
        slowBody(JSON.stringify(i % 2 ? { comment: { body: `comment ${i}` } } : { article: { description: `edit ${i}`, body: `edited ${i}` } })),
      );
      const writes = bodies.map((body, i) =>
        i % 2 ? send(`${path}/comments`, 'POST', readerToken, body) : send(path, 'PUT', authorToken, body),
      );
      // every write has passed its door's look at the article and is reading its body
      await Promise.all(bodies.map((body) => body.reading));
      const deleted = t.app.request(`${ORIGIN}${path}`, { method: 'DELETE', headers: { authorization: `Token ${authorToken}` } });
      // the first round finishes the bodies only after the delete; the others while it runs
      if (round === 0) expect((await deleted).status).toBe(204);
      for (const body of round % 2 ? [...bodies].reverse() : bodies) body.finish();
      const answers = await Promise.all(writes);
      expect((await deleted).status).toBe(204);
      // Finished while the delete runs, a write that reaches its transaction first may win on
      // PostgreSQL: the delete's request awaits the database (its session, the writer lock) where
      // SQLite's ran at once on the one connection. It then succeeded, and went with its article.
      const mayWin = round > 0 && testEngine() === 'postgres';
      for (const [i, res] of answers.entries()) {
        if (mayWin && res.status !== 404) {
          expect(res.status).toBe(i % 2 ? 201 : 200);
          continue;
        }
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ errors: { article: ['not found'] } });
      }
    }
    expect(await rowCount(t.db, articles)).toBe(0);
    expect(await rowCount(t.db, comments)).toBe(0);
    expect(await orphans(t.db)).toEqual(NO_ORPHANS);
  });

  it('answers double submits at once (same title, favorite, follow, comment delete) without a 500, counts kept true', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const author = await insertUser(t.db, 'author');
    const reader = await insertUser(t.db, 'reader');
    const authorToken = (await createSession(t.db, author.id, { now: t.clock() })).token;
    const readerToken = (await createSession(t.db, reader.id, { now: t.clock() })).token;
    const article = await insertArticle(t.db, author.id, { title: 'Liked' });
    const comment = await (await apiPost(t, `/api/articles/${article.slug}/comments`, { comment: { body: 'mine' } }, readerToken)).json() as { comment: { id: number } };
    const path = `/api/articles/${article.slug}`;
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => apiPost(t, '/api/articles', { article: { title: 'Same title', description: 'd', body: 'b', tagList: ['brand-new'] } }, authorToken)),
      ...Array.from({ length: 8 }, (_, i) => apiPost(t, `${path}/favorite`, {}, readerToken, i % 3 ? 'POST' : 'DELETE')),
      ...Array.from({ length: 8 }, (_, i) => apiPost(t, '/api/profiles/author/follow', {}, readerToken, i % 3 ? 'POST' : 'DELETE')),
      ...Array.from({ length: 8 }, () => t.app.request(`${ORIGIN}${path}/comments/${comment.comment.id}`, { method: 'DELETE', headers: { authorization: `Token ${readerToken}` } })),
    ]);
    for (const res of answers) expect(res.status).toBeLessThan(500);
    expect(answers.slice(0, 8).map((res) => res.status)).toEqual(Array<number>(8).fill(201));
    expect(answers.slice(24).map((res) => res.status).sort()).toEqual([204, ...Array<number>(7).fill(404)]);
    const slugs = (await t.db.select({ slug: articles.slug }).from(articles).where(eq(articles.title, 'Same title'))).map((row) => row.slug);
    expect(new Set(slugs).size).toBe(8);
    expect(await rowCount(t.db, tags, eq(tags.name, 'brand-new'))).toBe(1);
    const [stored] = await t.db.select({ n: articles.favoritesCount }).from(articles).where(eq(articles.id, article.id));
    expect(stored!.n).toBe(await rowCount(t.db, favorites, eq(favorites.articleId, article.id)));
    expect(await orphans(t.db)).toEqual(NO_ORPHANS);
  });
});
