import { describe, expect, it } from 'vitest';
import { comments } from '../db/schema';
import { createTestApp, insertUser, type TestApp } from '../test-support';
import { api, articleBy, ISO_MS, newToken, userWithToken } from './test-helpers';

const commentRows = async (t: TestApp) => await t.db.select().from(comments);

/** Bob's article, and Alice with a token to comment on it. */
async function setup() {
  const t = await createTestApp();
  const bob = await insertUser(t.db, 'bob');
  const slug = await articleBy(t, bob.id, { title: 'Worth a word' });
  const alice = await userWithToken(t, 'alice', { bio: 'Reader' });
  return { t, client: api(t), slug, bob, alice };
}

describe('POST /api/articles/:slug/comments', () => {
  it('answers 201 with the Comment, an integer id and ISO dates', async () => {
    const { t, client, slug, alice } = await setup();
    t.clock.advance(5);
    const res = await client.post(`/articles/${slug}/comments`, { comment: { body: 'Great read.' } }, alice.token);
    expect(res.status).toBe(201);
    const now = new Date(t.clock()).toISOString();
    expect(res.body).toEqual({
      comment: {
        id: expect.any(Number),
        createdAt: now,
        updatedAt: now,
        body: 'Great read.',
        author: { username: 'alice', bio: 'Reader', image: null, following: false },
      },
    });
    expect(Number.isInteger(res.body.comment.id)).toBe(true);
    expect(res.body.comment.createdAt).toMatch(ISO_MS);
    expect(Object.keys(res.body.comment)).toEqual(['id', 'createdAt', 'updatedAt', 'body', 'author']);
    expect(await commentRows(t)).toHaveLength(1);
  });

  it.each([
    [{ comment: { body: '' } }, { body: ["can't be blank"] }],
    [{ comment: { body: '   ' } }, { body: ["can't be blank"] }],
    [{ comment: {} }, { body: ["can't be blank"] }],
    [{ comment: { body: null } }, { body: ["can't be blank"] }],
    [{ comment: { body: 'x'.repeat(10_001) } }, { body: ['is too long (maximum is 10000 characters)'] }],
    [{ body: 'unwrapped' }, { comment: ["can't be blank"] }],
  ])('refuses %j with 422', async (payload, errors) => {
    const { t, client, slug, alice } = await setup();
    const res = await client.post(`/articles/${slug}/comments`, payload, alice.token);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors });
    expect(await commentRows(t)).toEqual([]);
  });

  it('answers 404 for an unknown article', async () => {
    const { client, alice } = await setup();
    const res = await client.post('/articles/no-such-article/comments', { comment: { body: 'Hi' } }, alice.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { article: ['not found'] } });
  });

  it('answers 401 without a token, before looking up the article', async () => {
    const { t, client, slug } = await setup();
    for (const s of [slug, 'no-such-article']) {
      const res = await client.post(`/articles/${s}/comments`, { comment: { body: 'Hi' } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: { token: ['is missing'] } });
    }
    const invalid = await client.post(`/articles/${slug}/comments`, { comment: { body: 'Hi' } }, 'bad.token');
    expect(invalid.status).toBe(401);
    expect(invalid.body).toEqual({ errors: { token: ['is invalid'] } });
    expect(await commentRows(t)).toEqual([]);
  });
});

describe('GET /api/articles/:slug/comments', () => {
  it('lists the comments with integer ids to anyone, following shown to the reader', async () => {
    const { t, client, slug, alice, bob } = await setup();
    const bobToken = await newToken(t, bob.id);
    const first = await client.post(`/articles/${slug}/comments`, { comment: { body: 'First' } }, alice.token);
    t.clock.advance(1000);
    const second = await client.post(`/articles/${slug}/comments`, { comment: { body: 'Second' } }, bobToken);

    const anonymous = await client.get(`/articles/${slug}/comments`);
    expect(anonymous.status).toBe(200);
    expect(Object.keys(anonymous.body)).toEqual(['comments']);
    const byBody = (list: Array<{ body: string; author: { following: boolean } }>) => Object.fromEntries(list.map((c) => [c.body, c]));
    const listed = byBody(anonymous.body.comments);
    expect(anonymous.body.comments).toHaveLength(2);
    expect(listed['First']).toEqual(first.body.comment);
    expect(listed['Second']).toEqual(second.body.comment);
    for (const comment of anonymous.body.comments) expect(Number.isInteger(comment.id)).toBe(true);

    await client.post('/profiles/bob/follow', undefined, alice.token);
    const forAlice = byBody((await client.get(`/articles/${slug}/comments`, alice.token)).body.comments);
    expect(forAlice['Second']!.author.following).toBe(true);
    expect(forAlice['First']!.author.following).toBe(false);
  });

  it('answers an empty list for an article without comments, 404 for an unknown article', async () => {
    const { client, slug } = await setup();
    expect((await client.get(`/articles/${slug}/comments`)).body).toEqual({ comments: [] });
    const res = await client.get('/articles/no-such-article/comments');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { article: ['not found'] } });
  });
});

describe('DELETE /api/articles/:slug/comments/:id', () => {
  /** Alice's comment on Bob's article. */
  async function withComment() {
    const s = await setup();
    const res = await s.client.post(`/articles/${s.slug}/comments`, { comment: { body: 'Mine' } }, s.alice.token);
    return { ...s, id: res.body.comment.id as number };
  }

  it('answers 204 with an empty body to the comment author', async () => {
    const { t, client, slug, alice, id } = await withComment();
    const res = await client.del(`/articles/${slug}/comments/${id}`, alice.token);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await commentRows(t)).toEqual([]);
    expect((await client.get(`/articles/${slug}/comments`)).body).toEqual({ comments: [] });
    const again = await client.del(`/articles/${slug}/comments/${id}`, alice.token);
    expect(again.status).toBe(404);
  });

  it('answers 403 comment forbidden to anyone else; the article author may delete it (issue #16)', async () => {
    const { t, client, slug, bob, id } = await withComment();
    const carol = await userWithToken(t, 'carol');
    const res = await client.del(`/articles/${slug}/comments/${id}`, carol.token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errors: { comment: ['forbidden'] } });
    expect(await commentRows(t)).toHaveLength(1);
    expect((await client.del(`/articles/${slug}/comments/${id}`, await newToken(t, bob.id))).status).toBe(204);
    expect(await commentRows(t)).toHaveLength(0);
  });

  it.each([['999'], ['abc'], ['0'], ['1.0']])('answers 404 comment not found for the id %j', async (badId) => {
    const { t, client, slug, alice } = await withComment();
    const res = await client.del(`/articles/${slug}/comments/${badId}`, alice.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { comment: ['not found'] } });
    expect(await commentRows(t)).toHaveLength(1);
  });

  it("answers 404 for the id of another article's comment", async () => {
    const { t, client, alice, bob, id } = await withComment();
    const otherSlug = await articleBy(t, bob.id, { title: 'Another one' });
    const res = await client.del(`/articles/${otherSlug}/comments/${id}`, alice.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { comment: ['not found'] } });
    expect(await commentRows(t)).toHaveLength(1);
  });

  it('answers 404 article not found for an unknown article', async () => {
    const { client, alice, id } = await withComment();
    const res = await client.del(`/articles/no-such-article/comments/${id}`, alice.token);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { article: ['not found'] } });
  });

  it('answers 401 without a token, before any lookup', async () => {
    const { t, client, slug, id } = await withComment();
    for (const path of [`/articles/${slug}/comments/${id}`, '/articles/nope/comments/999']) {
      const res = await client.del(path);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: { token: ['is missing'] } });
    }
    expect(await commentRows(t)).toHaveLength(1);
  });
});
