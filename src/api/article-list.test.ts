import { describe, expect, it } from 'vitest';
import { createTestApp, insertArticle, insertUser, type TestApp } from '../test-support';
import { api, ISO_MS, userWithToken } from './test-helpers';

/** n articles by one author, oldest first; returns their titles. */
async function manyArticles(t: TestApp, authorId: number, n: number, prefix = 'Post'): Promise<string[]> {
  const titles: string[] = [];
  for (let i = 1; i <= n; i++) {
    await insertArticle(t.db, authorId, { title: `${prefix} ${i}` });
    titles.push(`${prefix} ${i}`);
  }
  return titles;
}

const titlesOf = (body: { articles: Array<{ title: string }> }) => body.articles.map((a) => a.title);

describe('GET /api/articles', () => {
  it('lists newest first, items without a body key, with the full list shape', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Older', tagList: ['x', 'a'] });
    await insertArticle(t.db, bob.id, { title: 'Newer' });
    const res = await api(t).get('/articles');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['articles', 'articlesCount']);
    expect(titlesOf(res.body)).toEqual(['Newer', 'Older']);
    expect(res.body.articlesCount).toBe(2);
    const older = res.body.articles[1];
    expect(older).toEqual({
      slug: 'older',
      title: 'Older',
      description: 'About things',
      tagList: ['x', 'a'],
      createdAt: expect.stringMatching(ISO_MS),
      updatedAt: older.createdAt,
      favorited: false,
      favoritesCount: 0,
      author: { username: 'bob', bio: null, image: null, following: false },
    });
    for (const item of res.body.articles) expect(Object.keys(item)).not.toContain('body');
  });

  it('breaks ties of createdAt by id, newest first', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const client = api(t);
    for (const title of ['First', 'Second', 'Third']) {
      const res = await client.post('/articles', { article: { title, description: 'd', body: 'b' } }, token);
      expect(res.body.article.createdAt).toBe(new Date(t.clock()).toISOString());
    }
    const res = await client.get('/articles');
    expect(titlesOf(res.body)).toEqual(['Third', 'Second', 'First']);
  });

  it('answers an empty list with articlesCount 0', async () => {
    const t = await createTestApp();
    const res = await api(t).get('/articles');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ articles: [], articlesCount: 0 });
  });

  it('pages with limit (default 20) and offset; articlesCount is the total, not the page length', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const titles = (await manyArticles(t, bob.id, 25)).reverse();
    const client = api(t);

    const first = await client.get('/articles');
    expect(titlesOf(first.body)).toEqual(titles.slice(0, 20));
    expect(first.body.articlesCount).toBe(25);

    const second = await client.get('/articles?offset=20');
    expect(titlesOf(second.body)).toEqual(titles.slice(20));
    expect(second.body.articlesCount).toBe(25);

    const middle = await client.get('/articles?limit=3&offset=5');
    expect(titlesOf(middle.body)).toEqual(titles.slice(5, 8));
    expect(middle.body.articlesCount).toBe(25);

    const beyond = await client.get('/articles?offset=100');
    expect(beyond.body).toEqual({ articles: [], articlesCount: 25 });
  });

  it('serves limit=1000 at the cap of 100', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await manyArticles(t, bob.id, 101);
    const res = await api(t).get('/articles?limit=1000');
    expect(res.status).toBe(200);
    expect(res.body.articles).toHaveLength(100);
    expect(res.body.articlesCount).toBe(101);
  });

  it.each([
    ['limit=0', { limit: ['must be a whole number of at least 1'] }],
    ['limit=-1', { limit: ['must be a whole number of at least 1'] }],
    ['limit=abc', { limit: ['must be a whole number of at least 1'] }],
    ['limit=1.5', { limit: ['must be a whole number of at least 1'] }],
    ['offset=-1', { offset: ['must be a whole number of at least 0'] }],
    ['offset=abc', { offset: ['must be a whole number of at least 0'] }],
  ])('answers 422 for %s', async (query, errors) => {
    const t = await createTestApp();
    const res = await api(t).get(`/articles?${query}`);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
  });

  it('filters by tag, author and favorited, alone and combined, counting the matches', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const carol = await insertUser(t.db, 'carol');
    await insertArticle(t.db, bob.id, { title: 'Bob dragons', tagList: ['dragons'] });
    await insertArticle(t.db, bob.id, { title: 'Bob cats', tagList: ['cats'] });
    await insertArticle(t.db, carol.id, { title: 'Carol dragons', tagList: ['cats', 'dragons'] });
    await insertArticle(t.db, carol.id, { title: 'Carol plain' });
    const alice = await userWithToken(t, 'alice');
    const client = api(t);
    for (const slug of ['bob-dragons', 'carol-plain']) {
      expect((await client.post(`/articles/${slug}/favorite`, undefined, alice.token)).status).toBe(200);
    }

    const cases: Array<[string, string[]]> = [
      ['tag=dragons', ['Carol dragons', 'Bob dragons']],
      ['tag=cats', ['Carol dragons', 'Bob cats']],
      ['tag=nothing', []],
      ['author=bob', ['Bob cats', 'Bob dragons']],
      ['author=nobody', []],
      ['favorited=alice', ['Carol plain', 'Bob dragons']],
      ['favorited=bob', []],
      ['tag=dragons&author=carol', ['Carol dragons']],
      ['tag=dragons&favorited=alice', ['Bob dragons']],
      ['author=carol&favorited=alice', ['Carol plain']],
      ['tag=cats&author=bob&favorited=alice', []],
    ];
    for (const [query, expected] of cases) {
      const res = await client.get(`/articles?${query}`);
      expect(res.status, query).toBe(200);
      expect(titlesOf(res.body), query).toEqual(expected);
      expect(res.body.articlesCount, query).toBe(expected.length);
    }

    const paged = await client.get('/articles?tag=dragons&limit=1');
    expect(titlesOf(paged.body)).toEqual(['Carol dragons']);
    expect(paged.body.articlesCount).toBe(2);
  });

  it('shows favorited and following for the reader, and ignores an invalid token', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Liked' });
    await insertArticle(t.db, bob.id, { title: 'Not liked' });
    const alice = await userWithToken(t, 'alice');
    const client = api(t);
    await client.post('/articles/liked/favorite', undefined, alice.token);
    await client.post('/profiles/bob/follow', undefined, alice.token);

    const forAlice = await client.get('/articles', alice.token);
    expect(forAlice.body.articles.map((a: { favorited: boolean }) => a.favorited)).toEqual([false, true]);
    expect(forAlice.body.articles.map((a: { favoritesCount: number }) => a.favoritesCount)).toEqual([0, 1]);
    expect(forAlice.body.articles[0].author.following).toBe(true);

    const invalid = await client.get('/articles', 'bad.token');
    expect(invalid.status).toBe(200);
    expect(invalid.body.articles.map((a: { favorited: boolean }) => a.favorited)).toEqual([false, false]);
    expect(invalid.body.articles[0].author.following).toBe(false);
  });
});

describe('GET /api/articles/feed', () => {
  it('answers 401 without a token, or with an invalid one', async () => {
    const t = await createTestApp();
    const missing = await api(t).get('/articles/feed');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errors: { token: ['is missing'] } });
    const invalid = await api(t).get('/articles/feed', 'bad.token');
    expect(invalid.status).toBe(401);
    expect(invalid.body).toEqual({ errors: { token: ['is invalid'] } });
  });

  it("lists only followed authors' articles, newest first, without bodies", async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const carol = await insertUser(t.db, 'carol');
    const dave = await insertUser(t.db, 'dave');
    const alice = await userWithToken(t, 'alice');
    await insertArticle(t.db, bob.id, { title: 'Bob 1' });
    await insertArticle(t.db, carol.id, { title: 'Carol 1' });
    await insertArticle(t.db, dave.id, { title: 'Dave 1' });
    await insertArticle(t.db, bob.id, { title: 'Bob 2' });
    await insertArticle(t.db, alice.user.id, { title: 'Alice 1' });
    const client = api(t);

    expect((await client.get('/articles/feed', alice.token)).body).toEqual({ articles: [], articlesCount: 0 });

    await client.post('/profiles/bob/follow', undefined, alice.token);
    await client.post('/profiles/dave/follow', undefined, alice.token);
    const res = await client.get('/articles/feed', alice.token);
    expect(res.status).toBe(200);
    expect(titlesOf(res.body)).toEqual(['Bob 2', 'Dave 1', 'Bob 1']);
    expect(res.body.articlesCount).toBe(3);
    for (const item of res.body.articles) {
      expect(Object.keys(item)).not.toContain('body');
      expect(item.author.following).toBe(true);
    }

    await client.del('/profiles/dave/follow', alice.token);
    expect(titlesOf((await client.get('/articles/feed', alice.token)).body)).toEqual(['Bob 2', 'Bob 1']);
  });

  it('pages with limit and offset, articlesCount counting the whole feed', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const other = await insertUser(t.db, 'other');
    const titles = (await manyArticles(t, bob.id, 25)).reverse();
    await manyArticles(t, other.id, 3, 'Other');
    const alice = await userWithToken(t, 'alice');
    const client = api(t);
    await client.post('/profiles/bob/follow', undefined, alice.token);

    const first = await client.get('/articles/feed', alice.token);
    expect(titlesOf(first.body)).toEqual(titles.slice(0, 20));
    expect(first.body.articlesCount).toBe(25);

    const page = await client.get('/articles/feed?limit=2&offset=1', alice.token);
    expect(titlesOf(page.body)).toEqual(titles.slice(1, 3));
    expect(page.body.articlesCount).toBe(25);

    const bad = await client.get('/articles/feed?limit=0', alice.token);
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ errors: { limit: ['must be a whole number of at least 1'] } });
  });
});
