import { describe, expect, it } from 'vitest';
import { favorites } from '../db/schema';
import { createTestApp, insertArticle, insertUser, type TestApp } from '../test-support';
import { api, articleBy, userWithToken } from './test-helpers';

const favoriteRows = async (t: TestApp) => await t.db.select().from(favorites);

describe('POST and DELETE /api/articles/:slug/favorite', () => {
  it('favorites with no body and no content type, idempotently, answering the article', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const slug = await articleBy(t, bob.id, { title: 'Worth a heart', body: 'The body', tagList: ['a'] });
    const alice = await userWithToken(t, 'alice');
    const carol = await userWithToken(t, 'carol');
    const client = api(t);

    for (let i = 0; i < 2; i++) {
      const res = await client.post(`/articles/${slug}/favorite`, undefined, alice.token);
      expect(res.status).toBe(200);
      expect(res.body.article).toMatchObject({ slug, body: 'The body', tagList: ['a'], favorited: true, favoritesCount: 1 });
      expect(res.body.article.author).toEqual({ username: 'bob', bio: null, image: null, following: false });
    }
    expect(await favoriteRows(t)).toHaveLength(1);

    const second = await client.post(`/articles/${slug}/favorite`, undefined, carol.token);
    expect(second.body.article).toMatchObject({ favorited: true, favoritesCount: 2 });
    expect((await client.get(`/articles/${slug}`)).body.article).toMatchObject({ favorited: false, favoritesCount: 2 });

    for (let i = 0; i < 2; i++) {
      const res = await client.del(`/articles/${slug}/favorite`, alice.token);
      expect(res.status).toBe(200);
      expect(res.body.article).toMatchObject({ slug, favorited: false, favoritesCount: 1 });
    }
    expect((await client.get(`/articles/${slug}`, carol.token)).body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(await favoriteRows(t)).toHaveLength(1);
  });

  it('unfavoriting an article never favorited answers it with favorited false', async () => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const slug = await articleBy(t, bob.id);
    const alice = await userWithToken(t, 'alice');
    const res = await api(t).del(`/articles/${slug}/favorite`, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.article).toMatchObject({ slug, favorited: false, favoritesCount: 0 });
  });

  it.each([['POST'], ['DELETE']])('%s answers 401 before the lookup, 404 for an unknown slug', async (method) => {
    const t = await createTestApp();
    const bob = await insertUser(t.db, 'bob');
    const slug = await articleBy(t, bob.id);
    const alice = await userWithToken(t, 'alice');
    const client = api(t);
    for (const s of [slug, 'no-such-article']) {
      const missing = await client.send(method, `/articles/${s}/favorite`);
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ errors: { token: ['is missing'] } });
      const invalid = await client.send(method, `/articles/${s}/favorite`, { token: 'bad.token' });
      expect(invalid.status).toBe(401);
      expect(invalid.body).toEqual({ errors: { token: ['is invalid'] } });
    }
    const unknown = await client.send(method, '/articles/no-such-article/favorite', { token: alice.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: { article: ['not found'] } });
    expect(await favoriteRows(t)).toEqual([]);
  });
});

describe('GET /api/tags', () => {
  it('answers every tag in use, with no auth, and [] when there are none', async () => {
    const t = await createTestApp();
    const client = api(t);
    expect((await client.get('/tags')).body).toEqual({ tags: [] });

    const bob = await insertUser(t.db, 'bob');
    const tagged = Array.from({ length: 25 }, (_, i) => `tag-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < tagged.length; i += 5) await insertArticle(t.db, bob.id, { title: `T${i}`, tagList: tagged.slice(i, i + 5) });
    const res = await client.get('/tags');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['tags']);
    expect([...res.body.tags].sort()).toEqual(tagged);
  });

  it('shows a new tag at once and drops the tags of a deleted article', async () => {
    const t = await createTestApp();
    const alice = await userWithToken(t, 'alice');
    const bob = await insertUser(t.db, 'bob');
    await insertArticle(t.db, bob.id, { title: 'Kept', tagList: ['shared'] });
    const client = api(t);

    const created = await client.post(
      '/articles',
      { article: { title: 'Fresh', description: 'd', body: 'b', tagList: ['brand-new', 'shared'] } },
      alice.token,
    );
    expect(created.status).toBe(201);
    expect([...(await client.get('/tags')).body.tags].sort()).toEqual(['brand-new', 'shared']);

    const removed = await client.del(`/articles/${created.body.article.slug}`, alice.token);
    expect(removed.status).toBe(204);
    expect((await client.get('/tags')).body).toEqual({ tags: ['shared'] });
  });

  it('drops a tag an edit removes', async () => {
    const t = await createTestApp();
    const alice = await userWithToken(t, 'alice');
    const client = api(t);
    const created = await client.post('/articles', { article: { title: 'T', description: 'd', body: 'b', tagList: ['old'] } }, alice.token);
    await client.put(`/articles/${created.body.article.slug}`, { article: { tagList: ['new'] } }, alice.token);
    expect((await client.get('/tags')).body).toEqual({ tags: ['new'] });
  });

  it('ignores an invalid token', async () => {
    const t = await createTestApp();
    const res = await api(t).get('/tags', 'bad.token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tags: [] });
  });
});
