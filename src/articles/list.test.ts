import { describe, expect, it } from 'vitest';
import { createTestDb, insertArticle, insertUser, testEnv } from '../test-support';
import type { Db } from '../db/client';
import { followUser, unfollowUser } from '../profiles/queries';
import { updateUser } from '../users/queries';
import { favoriteArticle, listArticles, sharedReads, unfavoriteArticle } from './queries';

/** Bob wrote two articles; Alice and Carol read them. */
async function setup() {
  const db = await createTestDb();
  const bob = await insertUser(db, 'bob');
  const alice = await insertUser(db, 'alice');
  const carol = await insertUser(db, 'carol');
  const first = await insertArticle(db, bob.id, { title: 'First', tagList: ['x', 'y'] });
  const second = await insertArticle(db, bob.id, { title: 'Second' });
  return { db, bob, alice, carol, first, second };
}

const page = async (db: Db, viewerId: number | null) =>
  (await listArticles({ db, reads: sharedReads(db, testEnv()) }, { viewerId, limit: 10, offset: 0 })).articles.map((a) => ({
    title: a.title,
    favorited: a.favorited,
    favoritesCount: a.favoritesCount,
    author: a.author.username,
    following: a.author.following,
    tags: a.tagList,
  }));

describe('a page of articles, read once per content version', () => {
  it("gives each viewer their own flags on the same page, and the anonymous reader none", async () => {
    const { db, bob, alice, first } = await setup();
    await favoriteArticle(db, alice.id, first.id, Date.now());
    await followUser(db, alice.id, bob.id, Date.now());
    expect(await page(db, alice.id)).toEqual([
      { title: 'Second', favorited: false, favoritesCount: 0, author: 'bob', following: true, tags: [] },
      { title: 'First', favorited: true, favoritesCount: 1, author: 'bob', following: true, tags: ['x', 'y'] },
    ]);
    const others = [
      { title: 'Second', favorited: false, favoritesCount: 0, author: 'bob', following: false, tags: [] },
      { title: 'First', favorited: false, favoritesCount: 1, author: 'bob', following: false, tags: ['x', 'y'] },
    ];
    expect(await page(db, null)).toEqual(others);
    expect(await page(db, bob.id)).toEqual(others);
    // and Alice's flags did not stay on the page the others were given
    expect((await page(db, alice.id))[1]).toMatchObject({ favorited: true, following: true });
  });

  it('shows every write on the next request', async () => {
    const { db, bob, alice, carol, first } = await setup();
    expect((await page(db, alice.id))[1]).toMatchObject({ favorited: false, favoritesCount: 0, following: false });
    await favoriteArticle(db, alice.id, first.id, Date.now());
    await favoriteArticle(db, carol.id, first.id, Date.now());
    expect((await page(db, alice.id))[1]).toMatchObject({ favorited: true, favoritesCount: 2 });
    await followUser(db, alice.id, bob.id, Date.now());
    expect((await page(db, alice.id))[1]).toMatchObject({ following: true });
    await updateUser(db, bob.id, { username: 'robert' }, Date.now());
    expect((await page(db, null))[1]).toMatchObject({ author: 'robert' });
    await unfavoriteArticle(db, alice.id, first.id);
    await unfollowUser(db, alice.id, bob.id);
    expect((await page(db, alice.id))[1]).toMatchObject({ favorited: false, favoritesCount: 1, following: false });
    await insertArticle(db, carol.id, { title: 'Third' });
    expect((await page(db, alice.id)).map((a) => a.title)).toEqual(['Third', 'Second', 'First']);
  });
});
