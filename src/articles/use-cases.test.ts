import { describe, expect, it } from 'vitest';
import { Forbidden, NotFound, type Core } from '../core';
import { articles, favorites } from '../db/schema';
import { TooManyRequests } from '../security/limits';
import { createTestCore, insertArticle, insertUser, testCaller } from '../test-support';
import { findArticleBySlug } from './queries';
import {
  createArticle,
  deleteArticle,
  favoriteArticle,
  findArticleToRead,
  unfavoriteArticle,
  updateArticle,
} from './use-cases';

const input = { title: 'Night trains', description: 'Sleeping across Europe', body: 'Book the *couchette*.', tagList: ['travel', 'rail'] };

/** Alice and Bob, each able to call use cases; Bob has one published article. */
async function twoAuthors(env: Record<string, string> = {}) {
  const t = await createTestCore({ env });
  const alice = await insertUser(t.core.db, 'alice');
  const bob = await insertUser(t.core.db, 'bob');
  const bobs = await insertArticle(t.core.db, bob.id, { title: 'Bob writes', tagList: ['mine'] });
  return { ...t, asAlice: testCaller({ userId: alice.id }), asBob: testCaller({ userId: bob.id }), alice, bob, bobsSlug: bobs.slug };
}

/** A draft of Bob's, saved through the use case. */
async function bobsDraft(core: Core, asBob: ReturnType<typeof testCaller>) {
  return await createArticle(core, asBob, { article: { ...input, title: 'Bob thinks' }, publish: false });
}

const articleCount = async (core: Core) => (await core.db.select().from(articles)).length;

describe('createArticle', () => {
  it('publishes the article under a slug from its title, with its tags in order and the Markdown rendered', async () => {
    const { core, clock, asAlice, alice } = await twoAuthors();

    const article = await createArticle(core, asAlice, { article: input, publish: true });

    expect(article).toMatchObject({
      slug: 'night-trains',
      title: 'Night trains',
      tagList: ['travel', 'rail'],
      publishedAt: new Date(clock()),
      favorited: false,
      author: { id: alice.id, username: 'alice' },
    });
    expect(article.bodyHtml).toContain('<em>couchette</em>');
    expect((await findArticleToRead(core, testCaller(), 'night-trains')).id).toBe(article.id);
    // the same title again gets a slug of its own
    expect((await createArticle(core, asAlice, { article: input, publish: true })).slug).toBe('night-trains-2');
  });

  it('saves a draft that only its author can open', async () => {
    const { core, asBob, asAlice } = await twoAuthors();

    const draft = await bobsDraft(core, asBob);

    expect(draft.publishedAt).toBeNull();
    expect((await findArticleToRead(core, asBob, draft.slug)).id).toBe(draft.id);
    await expect(findArticleToRead(core, asAlice, draft.slug)).rejects.toBeInstanceOf(NotFound);
    await expect(findArticleToRead(core, testCaller(), draft.slug)).rejects.toBeInstanceOf(NotFound);
  });

  it('refuses with TooManyRequests past the per-user limit and saves nothing more; others keep their budget', async () => {
    const { core, asAlice, asBob } = await twoAuthors({ RATE_LIMIT_ARTICLES: '2/h' });
    const before = await articleCount(core);

    await createArticle(core, asAlice, { article: input, publish: true });
    await createArticle(core, asAlice, { article: input, publish: false });
    await expect(createArticle(core, asAlice, { article: input, publish: true })).rejects.toBeInstanceOf(TooManyRequests);

    expect(await articleCount(core)).toBe(before + 2);
    await createArticle(core, asBob, { article: input, publish: true });
    expect(await articleCount(core)).toBe(before + 3);
  });
});

describe('updateArticle', () => {
  it('refuses with TooManyRequests past the per-user update limit, before rendering or writing', async () => {
    const { core, clock, asBob, asAlice, bobsSlug } = await twoAuthors({ RATE_LIMIT_ARTICLE_UPDATES: '2/h' });
    const save = (body: string) => updateArticle(core, asBob, { slug: bobsSlug, changes: { body }, publish: false });

    await save('first');
    await save('second');
    const refused = await save('third').then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TooManyRequests);
    expect((refused as TooManyRequests).retryAfterSeconds).toBeGreaterThan(0);
    expect((await findArticleBySlug(core.db, bobsSlug, null))!.body).toBe('second');

    // a missing or someone else's article is refused as such, not as too many saves
    await expect(updateArticle(core, asBob, { slug: 'no-such-article', changes: { body: 'x' }, publish: false })).rejects.toBeInstanceOf(NotFound);
    // Alice's budget is her own, and a refused edit does not spend it; Bob's comes back with time
    for (let i = 0; i < 3; i++) {
      await expect(updateArticle(core, asAlice, { slug: bobsSlug, changes: { body: 'x' }, publish: false })).rejects.toBeInstanceOf(Forbidden);
    }
    clock.advance(60 * 60_000);
    await save('fourth');
    expect((await findArticleBySlug(core.db, bobsSlug, null))!.body).toBe('fourth');
  });

  it('changes only what is given; a new title gives a new slug and the old one is gone', async () => {
    const { core, clock, asBob, bobsSlug } = await twoAuthors();
    clock.advance(60_000);

    const { article, published } = await updateArticle(core, asBob, {
      slug: bobsSlug,
      changes: { title: 'Bob rewrites', body: 'New **words**' },
      publish: false,
    });

    expect(published).toBe(false);
    expect(article).toMatchObject({ slug: 'bob-rewrites', title: 'Bob rewrites', description: 'About things', tagList: ['mine'] });
    expect(article.bodyHtml).toContain('<strong>words</strong>');
    expect(article.updatedAt.getTime()).toBe(clock());
    expect(article.publishedAt).not.toBeNull();
    await expect(findArticleToRead(core, asBob, bobsSlug)).rejects.toBeInstanceOf(NotFound);
  });

  it('keeps the slug when the title stays the same, and replaces or clears the tags when they are given', async () => {
    const { core, asBob, bobsSlug } = await twoAuthors();

    const same = await updateArticle(core, asBob, { slug: bobsSlug, changes: { title: 'Bob writes', tagList: [] }, publish: true });

    expect(same.article.slug).toBe(bobsSlug);
    expect(same.article.tagList).toEqual([]);
  });

  it('publishes a draft with its changes when asked, dated now; otherwise it stays a draft', async () => {
    const { core, clock, asBob } = await twoAuthors();
    const draft = await bobsDraft(core, asBob);

    const kept = await updateArticle(core, asBob, { slug: draft.slug, changes: { body: 'More' }, publish: false });
    expect(kept).toMatchObject({ published: false, article: { publishedAt: null, body: 'More' } });

    clock.advance(5_000);
    const { article, published } = await updateArticle(core, asBob, { slug: draft.slug, changes: {}, publish: true });
    expect(published).toBe(true);
    expect(article.publishedAt?.getTime()).toBe(clock());
    expect((await findArticleToRead(core, testCaller(), draft.slug)).id).toBe(draft.id);

    // a published article is not published again
    clock.advance(5_000);
    const again = await updateArticle(core, asBob, { slug: draft.slug, changes: {}, publish: true });
    expect(again.published).toBe(false);
    expect(again.article.publishedAt).toEqual(article.publishedAt);
  });

  it("refuses someone else's article with Forbidden and their draft or an unknown slug with NotFound, changing nothing", async () => {
    const { core, asAlice, asBob, bobsSlug } = await twoAuthors();
    const draft = await bobsDraft(core, asBob);
    const change = async (slug: string) => await updateArticle(core, asAlice, { slug, changes: { title: 'Hijacked' }, publish: true });

    await expect(change(bobsSlug)).rejects.toBeInstanceOf(Forbidden);
    await expect(change(bobsSlug)).rejects.toMatchObject({ thing: 'article', message: 'Only the author can change this article.' });
    await expect(change(draft.slug)).rejects.toBeInstanceOf(NotFound);
    await expect(change('no-such-article')).rejects.toMatchObject({ thing: 'article', message: 'There is no article at this address.' });

    expect((await findArticleBySlug(core.db, bobsSlug, null))?.title).toBe('Bob writes');
    expect(await findArticleBySlug(core.db, draft.slug, null)).toMatchObject({ title: 'Bob thinks', publishedAt: null });
  });
});

describe('deleteArticle', () => {
  it("deletes the author's own article", async () => {
    const { core, asBob, bobsSlug } = await twoAuthors();

    await deleteArticle(core, asBob, { slug: bobsSlug });

    expect(await findArticleBySlug(core.db, bobsSlug, null)).toBeNull();
  });

  it("refuses someone else's article with Forbidden and their draft with NotFound, deleting nothing", async () => {
    const { core, asAlice, asBob, bobsSlug } = await twoAuthors();
    const draft = await bobsDraft(core, asBob);

    await expect(deleteArticle(core, asAlice, { slug: bobsSlug })).rejects.toBeInstanceOf(Forbidden);
    await expect(deleteArticle(core, asAlice, { slug: draft.slug })).rejects.toBeInstanceOf(NotFound);

    expect(await articleCount(core)).toBe(2);
  });
});

describe('favoriteArticle and unfavoriteArticle', () => {
  it('favorites once however often it is asked, and takes it back', async () => {
    const { core, asAlice, bobsSlug } = await twoAuthors();

    await favoriteArticle(core, asAlice, { slug: bobsSlug });
    const favorited = await favoriteArticle(core, asAlice, { slug: bobsSlug });
    expect(favorited).toMatchObject({ slug: bobsSlug, favorited: true, favoritesCount: 1 });

    const unfavorited = await unfavoriteArticle(core, asAlice, { slug: bobsSlug });
    expect(unfavorited).toMatchObject({ favorited: false, favoritesCount: 0 });
    expect(await core.db.select().from(favorites)).toEqual([]);
  });

  it("answers NotFound for someone else's draft, which spends no favorite", async () => {
    const { core, asAlice, asBob, bobsSlug } = await twoAuthors({ RATE_LIMIT_FAVORITES: '1/h' });
    const draft = await bobsDraft(core, asBob);

    await expect(favoriteArticle(core, asAlice, { slug: draft.slug })).rejects.toMatchObject({ thing: 'article' });
    await expect(unfavoriteArticle(core, asAlice, { slug: draft.slug })).rejects.toBeInstanceOf(NotFound);

    // the one favorite of the budget is still there to spend
    expect((await favoriteArticle(core, asAlice, { slug: bobsSlug })).favorited).toBe(true);
  });

  it('refuses with TooManyRequests past the per-user limit, writing nothing', async () => {
    const { core, asAlice, bob } = await twoAuthors({ RATE_LIMIT_FAVORITES: '2/h' });
    const slugs: string[] = [];
    for (const n of [1, 2, 3]) slugs.push((await insertArticle(core.db, bob.id, { title: `More ${n}` })).slug);

    await favoriteArticle(core, asAlice, { slug: slugs[0]! });
    await favoriteArticle(core, asAlice, { slug: slugs[1]! });
    await expect(favoriteArticle(core, asAlice, { slug: slugs[2]! })).rejects.toBeInstanceOf(TooManyRequests);

    expect(await core.db.select().from(favorites)).toHaveLength(2);
    // taking a favorite back is not limited
    expect((await unfavoriteArticle(core, asAlice, { slug: slugs[0]! })).favorited).toBe(false);
  });
});
