/** The account use cases called directly, without a door: the rules every door shares. */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createArticle, favoriteArticle, updateArticle } from '../articles/use-cases';
import { addComment } from '../comments/use-cases';
import { CLI_CALLER, Forbidden } from '../core';
import { tablesOf } from '../db/engine';
import { followUser } from '../profiles/use-cases';
import { createTestCore, insertArticle, insertUser, testCaller, testEngine } from '../test-support';
import { ACCOUNT_SUSPENDED } from '../users/use-cases';
import { changeRole, deleteUser, suspendUser, transferOwnership, unsuspendUser } from './use-cases';

const input = { title: 'Still here', description: 'Or not', body: 'Words.', tagList: [] };

describe(`account use cases on ${testEngine()}`, () => {
  it('a suspended account is refused writing, commenting, favoriting and following, whatever its session says', async () => {
    const { core } = await createTestCore();
    const alice = await insertUser(core.db, 'alice');
    const bob = await insertUser(core.db, 'bob');
    const bobs = await insertArticle(core.db, bob.id, { title: 'Bob writes' });
    const hers = await insertArticle(core.db, alice.id, { title: 'Hers' });
    // a caller as a request that validated its session just before the suspension was written
    const asAlice = testCaller({ userId: alice.id, role: 'author' });
    expect((await suspendUser(core, CLI_CALLER, { username: 'alice', until: null, reason: 'Spam' })).ok).toBe(true);

    // each started only when the one before has been refused: no rejection waits unobserved
    const refused = [
      () => createArticle(core, asAlice, { article: input, publish: true }),
      () => updateArticle(core, asAlice, { slug: hers.slug, changes: { body: 'Changed' }, publish: false }),
      () => addComment(core, asAlice, { slug: bobs.slug, body: 'Hello' }),
      () => favoriteArticle(core, asAlice, { slug: bobs.slug }),
      () => followUser(core, asAlice, { username: 'bob' }),
    ];
    for (const attempt of refused) await expect(attempt()).rejects.toThrow(new Forbidden('user', ACCOUNT_SUSPENDED));
    const { articles, comments, favorites, follows } = tablesOf(core.db);
    expect((await core.db.select().from(articles)).map((row) => row.title).sort()).toEqual(['Bob writes', 'Hers']);
    expect(await core.db.select().from(comments)).toEqual([]);
    expect(await core.db.select().from(favorites)).toEqual([]);
    expect(await core.db.select().from(follows)).toEqual([]);
  });

  it('the operator can do everything but act on the owner other than by handing the role over', async () => {
    const { core } = await createTestCore();
    await insertUser(core.db, 'olive', { role: 'owner' });
    await insertUser(core.db, 'adam', { role: 'admin' });
    await expect(changeRole(core, CLI_CALLER, { username: 'olive', role: 'admin' })).rejects.toBeInstanceOf(Forbidden);
    await expect(suspendUser(core, CLI_CALLER, { username: 'olive', until: null, reason: 'x' })).rejects.toBeInstanceOf(Forbidden);
    await expect(deleteUser(core, CLI_CALLER, { username: 'olive', keepContent: false })).rejects.toBeInstanceOf(Forbidden);
    await expect(changeRole(core, CLI_CALLER, { username: 'adam', role: 'owner' })).rejects.toBeInstanceOf(Forbidden);
    expect((await changeRole(core, CLI_CALLER, { username: 'adam', role: 'moderator' })).changed).toBe(true);
    const { owner, previous } = await transferOwnership(core, CLI_CALLER, { username: 'adam' });
    expect([owner.role, previous?.username, previous?.role]).toEqual(['owner', 'olive', 'admin']);
  });

  it('an admin may not hand the site over, nor give a role above their own; a suspended account cannot become the owner', async () => {
    const { core } = await createTestCore();
    const olive = await insertUser(core.db, 'olive', { role: 'owner' });
    const adam = await insertUser(core.db, 'adam', { role: 'admin' });
    await insertUser(core.db, 'alice');
    const asAdam = testCaller({ userId: adam.id, role: 'admin' });
    const asOlive = testCaller({ userId: olive.id, role: 'owner' });
    await expect(transferOwnership(core, asAdam, { username: 'alice' })).rejects.toBeInstanceOf(Forbidden);
    await expect(changeRole(core, asAdam, { username: 'alice', role: 'admin' })).rejects.toBeInstanceOf(Forbidden);
    await suspendUser(core, asAdam, { username: 'alice', until: null, reason: 'Spam' });
    await expect(transferOwnership(core, asOlive, { username: 'alice' })).rejects.toBeInstanceOf(Forbidden);
    expect((await unsuspendUser(core, asAdam, { username: 'alice' })).ok).toBe(true);
    const { users } = tablesOf(core.db);
    expect((await core.db.select({ role: users.role }).from(users).where(eq(users.id, olive.id)))[0]!.role).toBe('owner');
  });
});
