import { describe, expect, it } from 'vitest';
import { articles } from '../db/schema';
import { createTestApp, insertUser, type TestApp } from '../test-support';
import { api, articleBy, ISO_MS, userWithToken } from './test-helpers';

const input = { title: 'How to train your dragon', description: 'Ever wonder how?', body: 'You have to believe.' };
const articleRows = async (t: TestApp) => await t.db.select().from(articles);

describe('POST /api/articles', () => {
  it('answers 201 with the whole Article, tags in the order given', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice', { bio: 'Writer' });
    const res = await api(t).post('/articles', { article: { ...input, tagList: ['zeta', 'alpha', 'mid'] } }, token);
    expect(res.status).toBe(201);
    const now = new Date(t.clock()).toISOString();
    expect(res.body).toEqual({
      article: {
        slug: 'how-to-train-your-dragon',
        ...input,
        tagList: ['zeta', 'alpha', 'mid'],
        createdAt: now,
        updatedAt: now,
        favorited: false,
        favoritesCount: 0,
        author: { username: 'alice', bio: 'Writer', image: null, following: false },
      },
    });
    expect(Object.keys(res.body.article)).toEqual([
      'slug', 'title', 'description', 'body', 'tagList', 'createdAt', 'updatedAt', 'favorited', 'favoritesCount', 'author',
    ]);
    expect(res.body.article.createdAt).toMatch(ISO_MS);
    expect(await articleRows(t)).toHaveLength(1);
  });

  it('keeps the milliseconds of the clock in createdAt', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    t.clock.advance(1234);
    const res = await api(t).post('/articles', { article: input }, token);
    expect(res.body.article.createdAt).toBe(new Date(t.clock()).toISOString());
    expect(res.body.article.createdAt).toMatch(/\.234Z$/);
  });

  it('gives two articles with the same title distinct slugs, both readable', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const client = api(t);
    const first = await client.post('/articles', { article: input }, token);
    const second = await client.post('/articles', { article: { ...input, body: 'Another body.' } }, token);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.article.slug).not.toBe(first.body.article.slug);
    expect((await client.get(`/articles/${first.body.article.slug}`)).body.article.body).toBe('You have to believe.');
    expect((await client.get(`/articles/${second.body.article.slug}`)).body.article.body).toBe('Another body.');
  });

  it('takes tagList as optional, answering []', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).post('/articles', { article: input }, token);
    expect(res.status).toBe(201);
    expect(res.body.article.tagList).toEqual([]);
  });

  it('accepts ten tags', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const tagList = Array.from({ length: 10 }, (_, i) => `tag${i}`);
    const res = await api(t).post('/articles', { article: { ...input, tagList } }, token);
    expect(res.status).toBe(201);
    expect(res.body.article.tagList).toEqual(tagList);
  });

  it.each([
    [{ ...input, title: '' }, { title: ["can't be blank"] }],
    [{ ...input, title: '   ' }, { title: ["can't be blank"] }],
    [{ ...input, description: '' }, { description: ["can't be blank"] }],
    [{ ...input, body: '' }, { body: ["can't be blank"] }],
    [{ description: input.description, body: input.body }, { title: ["can't be blank"] }],
    [{ ...input, title: 't'.repeat(201) }, { title: ['is too long (maximum is 200 characters)'] }],
    [{ ...input, tagList: Array.from({ length: 11 }, (_, i) => `tag${i}`) }, { tagList: ['can have at most 10 tags'] }],
    [{ ...input, tagList: null }, { tagList: ['must be a list of strings'] }],
    [{ ...input, tagList: 'dragons' }, { tagList: ['must be a list of strings'] }],
    [{ ...input, tagList: [1, 2] }, { tagList: ['must be a list of strings'] }],
  ])('refuses %j with 422 and creates nothing', async (article, errors) => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).post('/articles', { article }, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
    expect(await articleRows(t)).toEqual([]);
  });

  it('answers 422 under "article" without the wrapper', async () => {
    const t = await createTestApp();
    const { token } = await userWithToken(t, 'alice');
    const res = await api(t).post('/articles', input, token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { article: ["can't be blank"] } });
  });

  it('answers 401 without a token or with an invalid one', async () => {
    const t = await createTestApp();
    const client = api(t);
    const missing = await client.post('/articles', { article: input });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errors: { token: ['is missing'] } });
    const invalid = await client.post('/articles', { article: input }, 'x.y');
    expect(invalid.status).toBe(401);
    expect(invalid.body).toEqual({ errors: { token: ['is invalid'] } });
    expect(await articleRows(t)).toEqual([]);
  });
});

describe('GET /api/articles/:slug', () => {
  it('answers the article to anyone, and following/favorited for the reader', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const slug = await articleBy(t, bob.id, { title: 'Read me', body: 'The body', tagList: ['b', 'a'] });
    const alice = await userWithToken(t, 'alice');
    const client = api(t);

    const anonymous = await client.get(`/articles/${slug}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.article).toMatchObject({
      slug,
      title: 'Read me',
      body: 'The body',
      tagList: ['b', 'a'],
      favorited: false,
      favoritesCount: 0,
      author: { username: 'bob', bio: null, image: null, following: false },
    });

    await client.post('/profiles/bob/follow', undefined, alice.token);
    await client.post(`/articles/${slug}/favorite`, undefined, alice.token);
    const forAlice = await client.get(`/articles/${slug}`, alice.token);
    expect(forAlice.body.article).toMatchObject({ favorited: true, favoritesCount: 1, author: { following: true } });
  });

  it('answers 404 article not found for an unknown slug', async () => {
    const t = await createTestApp();
    const res = await api(t).get('/articles/no-such-article');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { article: ['not found'] } });
  });
});

/** Alice's article created through the API at the test clock's time. */
async function aliceArticle(t: TestApp, tagList = ['one', 'two']) {
  const alice = await userWithToken(t, 'alice');
  const res = await api(t).post('/articles', { article: { ...input, tagList } }, alice.token);
  return { alice, created: res.body.article };
}

describe('PUT /api/articles/:slug', () => {
  it('changes only the given fields; createdAt stays and updatedAt moves', async () => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    t.clock.advance(60_000);
    const res = await api(t).put(`/articles/${created.slug}`, { article: { description: 'New description' } }, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.article).toEqual({
      ...created,
      description: 'New description',
      updatedAt: new Date(t.clock()).toISOString(),
    });
    expect(res.body.article.createdAt).toBe(created.createdAt);
    expect(res.body.article.updatedAt).not.toBe(created.updatedAt);
  });

  it('gives a new title a new slug; the old slug is gone', async () => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    const client = api(t);
    const res = await client.put(`/articles/${created.slug}`, { article: { title: 'A whole new title' } }, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.article).toMatchObject({ slug: 'a-whole-new-title', title: 'A whole new title', body: created.body });
    expect((await client.get('/articles/a-whole-new-title')).status).toBe(200);
    const old = await client.get(`/articles/${created.slug}`);
    expect(old.status).toBe(404);
    expect(old.body).toEqual({ errors: { article: ['not found'] } });
  });

  it('keeps the slug when the title stays the same', async () => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    const res = await api(t).put(`/articles/${created.slug}`, { article: { title: input.title, body: 'New body' } }, alice.token);
    expect(res.body.article).toMatchObject({ slug: created.slug, body: 'New body' });
  });

  it.each([
    [{ body: 'x' }, ['one', 'two']],
    [{ tagList: [] }, []],
    [{ tagList: ['three', 'one'] }, ['three', 'one']],
  ])('%j leaves the tags as %j', async (article, expected) => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    const client = api(t);
    const res = await client.put(`/articles/${created.slug}`, { article }, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.article.tagList).toEqual(expected);
    expect((await client.get(`/articles/${created.slug}`)).body.article.tagList).toEqual(expected);
  });

  it.each([
    [{ tagList: null }, { tagList: ['must be a list of strings'] }],
    [{ title: '' }, { title: ["can't be blank"] }],
    [{ body: '  ' }, { body: ["can't be blank"] }],
    [{ title: 't'.repeat(201) }, { title: ['is too long (maximum is 200 characters)'] }],
  ])('refuses %j with 422 and changes nothing', async (article, errors) => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    const client = api(t);
    const res = await client.put(`/articles/${created.slug}`, { article }, alice.token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
    expect((await client.get(`/articles/${created.slug}`)).body.article).toEqual(created);
  });

  it('answers 403 article forbidden to another user, changing nothing', async () => {
    const t = await createTestApp();
    const { created } = await aliceArticle(t);
    const bob = await userWithToken(t, 'bob');
    const client = api(t);
    const res = await client.put(`/articles/${created.slug}`, { article: { title: 'Hijacked' } }, bob.token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errors: { article: ['forbidden'] } });
    expect((await client.get(`/articles/${created.slug}`)).body.article).toEqual(created);
  });

  it('answers 401 before looking up the slug, and 404 for an unknown slug with a token', async () => {
    const t = await createTestApp();
    const { alice } = await aliceArticle(t);
    const client = api(t);
    const missing = await client.put('/articles/no-such-article', { article: { title: 'x' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errors: { token: ['is missing'] } });
    const unknown = await client.put('/articles/no-such-article', { article: { title: 'x' } }, alice.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: { article: ['not found'] } });
  });
});

describe('DELETE /api/articles/:slug', () => {
  it('answers 204 with an empty body to the author, and the article is gone', async () => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    const client = api(t);
    const res = await client.del(`/articles/${created.slug}`, alice.token);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await articleRows(t)).toEqual([]);
    expect((await client.get(`/articles/${created.slug}`)).status).toBe(404);
  });

  it('answers 403 article forbidden to another user', async () => {
    const t = await createTestApp();
    const { created } = await aliceArticle(t);
    const bob = await userWithToken(t, 'bob');
    const res = await api(t).del(`/articles/${created.slug}`, bob.token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errors: { article: ['forbidden'] } });
    expect(await articleRows(t)).toHaveLength(1);
  });

  it('answers 404 for an unknown slug and 401 without a token (before the lookup)', async () => {
    const t = await createTestApp();
    const { alice, created } = await aliceArticle(t);
    const client = api(t);
    const unknown = await client.del('/articles/no-such-article', alice.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: { article: ['not found'] } });
    for (const slug of [created.slug, 'no-such-article']) {
      const res = await client.del(`/articles/${slug}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: { token: ['is missing'] } });
    }
    expect(await articleRows(t)).toHaveLength(1);
  });
});
