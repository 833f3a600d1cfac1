/**
 * Requests that race each other: many sign-ups for one name at once, many renames to one name,
 * and an article deleted while a comment or an edit for it is still arriving. Every answer is a
 * 2xx, 3xx or 4xx (never a 500 from a unique index, a foreign key or a missing row), the name ends
 * up with exactly one account, and nothing is left behind.
 */
import { describe, expect, it } from 'vitest';
import { NO_SUCH_ARTICLE } from '../articles/use-cases';
import { createSession } from '../auth/session';
import type { Db } from '../db/client';
import { createTestApp, formBody, type Browser, insertArticle, insertUser, ORIGIN, PASSWORD, signedInBrowser, type TestApp } from '../test-support';

const CONCURRENT = 24;

/** Rows that point at an article, a user or a search entry that no longer exists. */
function orphans(db: Db): Record<string, number> {
  const count = (sql: string) => (db.$client.prepare(sql).pluck().get() as number);
  return {
    articlesFts: count('select count(*) from articles_fts where rowid not in (select id from articles)'),
    articlesWithoutSearchRow: count('select count(*) from articles where id not in (select rowid from articles_fts)'),
    articleTags: count('select count(*) from article_tags where article_id not in (select id from articles)'),
    comments: count('select count(*) from comments where article_id not in (select id from articles)'),
    favorites: count('select count(*) from favorites where article_id not in (select id from articles)'),
    foreignKeys: (db.$client.pragma('foreign_key_check') as unknown[]).length,
  };
}

const NO_ORPHANS = { articlesFts: 0, articlesWithoutSearchRow: 0, articleTags: 0, comments: 0, favorites: 0, foreignKeys: 0 };

const usersNamed = (db: Db, name: string) =>
  db.$client.prepare('select count(*) from users where lower(username) = lower(?)').pluck().get(name) as number;

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
    expect(usersNamed(t.db, 'racer')).toBe(1);
  });

  it('lets one of many concurrent sign-ups with one email through', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        apiPost(t, '/api/users', { user: { username: `racer${i}`, email: i % 2 ? 'same@example.com' : 'SAME@example.com', password: PASSWORD } }),
      ),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, ...Array<number>(CONCURRENT - 1).fill(409)]);
    expect(t.db.$client.prepare("select count(*) from users where lower(email) = 'same@example.com'").pluck().get()).toBe(1);
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
    expect(usersNamed(t.db, 'wanted')).toBe(1);
  });

  it('answers a name the unique index refuses after every check as taken (409 or 422), not 500', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const someone = await insertUser(t.db, 'someone');
    const token = (await createSession(t.db, someone.id, { now: t.clock() })).token;
    // a writer the use cases' checks cannot see: it takes the name within the very insert or update
    t.db.$client.exec(`
      create temp trigger squat_insert before insert on users when new.username = 'late'
      begin insert into users (username, email, password_hash, created_at, updated_at) values ('LATE', 'squatter@example.com', 'x', 0, 0); end;
      create temp trigger squat_update before update of email on users when new.email = 'late@example.com'
      begin insert into users (username, email, password_hash, created_at, updated_at) values ('squatter', 'LATE@example.com', 'x', 0, 0); end;
    `);
    const signUp = await apiPost(t, '/api/users', { user: { username: 'late', email: 'late1@example.com', password: PASSWORD } });
    expect(signUp.status).toBe(409);
    expect(await signUp.json()).toEqual({ errors: { username: ['has already been taken'] } });
    const form = await formPost(t, '/register', { username: 'late', email: 'late2@example.com', password: PASSWORD });
    expect(form.status).toBe(422);
    const page = await form.text();
    expect(page).toContain('Username has already been taken');
    expect(page).toContain('late2@example.com');
    const rename = await apiPost(t, '/api/user', { user: { email: 'late@example.com' } }, token, 'PUT');
    expect(rename.status).toBe(409);
    expect(await rename.json()).toEqual({ errors: { email: ['has already been taken'] } });
    // each refusal rolled back whole: no account, no squatter
    expect(t.db.$client.prepare('select username from users').pluck().all()).toEqual(['someone']);
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
    expect(t.db.$client.prepare('select count(*) from comments').pluck().get()).toBe(0);
    expect(orphans(t.db)).toEqual(NO_ORPHANS);
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
    expect(t.db.$client.prepare('select count(*) from articles').pluck().get()).toBe(0);
    expect(orphans(t.db)).toEqual(NO_ORPHANS);
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
      for (const res of answers) {
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ errors: { article: ['not found'] } });
      }
    }
    expect(t.db.$client.prepare('select count(*) from articles').pluck().get()).toBe(0);
    expect(t.db.$client.prepare('select count(*) from comments').pluck().get()).toBe(0);
    expect(orphans(t.db)).toEqual(NO_ORPHANS);
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
    const slugs = t.db.$client.prepare("select slug from articles where title = 'Same title'").pluck().all();
    expect(new Set(slugs).size).toBe(8);
    expect(t.db.$client.prepare("select count(*) from tags where name = 'brand-new'").pluck().get()).toBe(1);
    expect(t.db.$client.prepare('select favorites_count from articles where id = ?').pluck().get(article.id))
      .toBe(t.db.$client.prepare('select count(*) from favorites where article_id = ?').pluck().get(article.id));
    expect(orphans(t.db)).toEqual(NO_ORPHANS);
  });
});
