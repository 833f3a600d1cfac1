import { describe, expect, it } from 'vitest';
import { createArticle } from '../articles/use-cases';
import { Forbidden, NotFound, type Core } from '../core';
import { comments } from '../db/schema';
import { TooManyRequests } from '../security/limits';
import { createTestCore, insertArticle, insertUser, testCaller } from '../test-support';
import { addComment, deleteComment } from './use-cases';

/** Bob's published article and his draft; Alice and Carol, who read them. */
async function setup(env: Record<string, string> = {}) {
  const t = await createTestCore({ env });
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => insertUser(t.core.db, name)));
  const asBob = testCaller({ userId: bob!.id });
  const slug = (await insertArticle(t.core.db, bob!.id, { title: 'Worth a word' })).slug;
  const draft = await createArticle(t.core, asBob, {
    article: { title: 'Not yet', description: 'd', body: 'b', tagList: [] },
    publish: false,
  });
  return { ...t, slug, draftSlug: draft.slug, alice: alice!, asAlice: testCaller({ userId: alice!.id }), asBob, asCarol: testCaller({ userId: carol!.id }) };
}

const commentCount = async (core: Core) => (await core.db.select().from(comments)).length;

describe('addComment', () => {
  it('saves the comment and answers it with its author', async () => {
    const { core, clock, slug, alice, asAlice } = await setup();

    const comment = await addComment(core, asAlice, { slug, body: 'Great read.' });

    expect(comment).toMatchObject({
      id: expect.any(Number),
      body: 'Great read.',
      createdAt: new Date(clock()),
      author: { id: alice.id, username: 'alice', following: false },
    });
    expect(await commentCount(core)).toBe(1);
  });

  it("answers NotFound for someone else's draft or an unknown article, and lets an author comment on their own draft", async () => {
    const { core, draftSlug, asAlice, asBob } = await setup();

    await expect(addComment(core, asAlice, { slug: draftSlug, body: 'Hi' })).rejects.toMatchObject({ thing: 'article' });
    await expect(addComment(core, asAlice, { slug: 'no-such-article', body: 'Hi' })).rejects.toBeInstanceOf(NotFound);
    expect(await commentCount(core)).toBe(0);

    expect((await addComment(core, asBob, { slug: draftSlug, body: 'Note to self' })).body).toBe('Note to self');
  });

  it('refuses with TooManyRequests past the per-user limit, and spends none on an article that is not there', async () => {
    const { core, slug, asAlice, asCarol } = await setup({ RATE_LIMIT_COMMENTS: '2/h' });

    await expect(addComment(core, asAlice, { slug: 'no-such-article', body: 'Hi' })).rejects.toBeInstanceOf(NotFound);
    await addComment(core, asAlice, { slug, body: 'One' });
    await addComment(core, asAlice, { slug, body: 'Two' });
    await expect(addComment(core, asAlice, { slug, body: 'Three' })).rejects.toBeInstanceOf(TooManyRequests);

    expect(await commentCount(core)).toBe(2);
    await addComment(core, asCarol, { slug, body: 'Mine' });
    expect(await commentCount(core)).toBe(3);
  });
});

describe('deleteComment', () => {
  async function withAlicesComment() {
    const s = await setup();
    const comment = await addComment(s.core, s.asAlice, { slug: s.slug, body: 'Mine' });
    return { ...s, id: String(comment.id) };
  }

  it('deletes the comment for its author', async () => {
    const { core, slug, asAlice, id } = await withAlicesComment();

    await deleteComment(core, asAlice, { slug, commentId: id });

    expect(await commentCount(core)).toBe(0);
    await expect(deleteComment(core, asAlice, { slug, commentId: id })).rejects.toMatchObject({ thing: 'comment' });
  });

  it('refuses anyone but its author, the article’s author and moderators, with Forbidden', async () => {
    const { core, slug, asCarol, id } = await withAlicesComment();

    await expect(deleteComment(core, asCarol, { slug, commentId: id })).rejects.toBeInstanceOf(Forbidden);
    await expect(deleteComment(core, asCarol, { slug, commentId: id })).rejects.toMatchObject({
      thing: 'comment',
      message: 'Only its author, the author of the article or a moderator can delete a comment.',
    });
    expect(await commentCount(core)).toBe(1);
  });

  it('lets the article’s author delete a comment under it (issue #16, point 2)', async () => {
    const { core, slug, asBob, id } = await withAlicesComment();
    await deleteComment(core, asBob, { slug, commentId: id });
    expect(await commentCount(core)).toBe(0);
  });

  it("answers NotFound for an id that is no comment of this article's, and for an article the caller cannot see", async () => {
    const { core, slug, draftSlug, asAlice, id } = await withAlicesComment();

    for (const commentId of ['999', 'abc', '0', '01', '1.0']) {
      await expect(deleteComment(core, asAlice, { slug, commentId })).rejects.toMatchObject({ thing: 'comment' });
    }
    await expect(deleteComment(core, asAlice, { slug: draftSlug, commentId: id })).rejects.toMatchObject({ thing: 'article' });
    expect(await commentCount(core)).toBe(1);
  });
});
