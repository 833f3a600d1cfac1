import { describe, expect, it } from 'vitest';
import { NotFound, type Core } from '../core';
import { follows } from '../db/schema';
import { TooManyRequests } from '../security/limits';
import { createTestCore, insertUser, testCaller } from '../test-support';
import { followUser, unfollowUser } from './use-cases';

const followRows = async (core: Core) =>
  await core.db.select({ followerId: follows.followerId, followedId: follows.followedId }).from(follows);

async function setup(env: Record<string, string> = {}) {
  const t = await createTestCore({ env });
  const alice = await insertUser(t.core.db, 'alice');
  const bob = await insertUser(t.core.db, 'bob', { bio: 'Writes' });
  return { ...t, alice, bob, asAlice: testCaller({ userId: alice.id }) };
}

describe('followUser and unfollowUser', () => {
  it('follows once, whatever the case of the name, answering the profile as it now stands; unfollowing undoes it', async () => {
    const { core, alice, bob, asAlice } = await setup();

    await followUser(core, asAlice, { username: 'bob' });
    const profile = await followUser(core, asAlice, { username: 'BOB' });

    expect(profile).toEqual({ id: bob.id, username: 'bob', bio: 'Writes', image: null, following: true });
    expect(await followRows(core)).toEqual([{ followerId: alice.id, followedId: bob.id }]);

    expect(await unfollowUser(core, asAlice, { username: 'bob' })).toMatchObject({ username: 'bob', following: false });
    expect(await followRows(core)).toEqual([]);
  });

  it('does nothing when one follows oneself, and says so', async () => {
    const { core, asAlice } = await setup();

    expect(await followUser(core, asAlice, { username: 'alice' })).toMatchObject({ username: 'alice', following: false });
    expect(await followRows(core)).toEqual([]);
  });

  it('answers NotFound for a name nobody has', async () => {
    const { core, asAlice } = await setup();

    await expect(followUser(core, asAlice, { username: 'nobody' })).rejects.toBeInstanceOf(NotFound);
    await expect(unfollowUser(core, asAlice, { username: 'nobody' })).rejects.toMatchObject({
      thing: 'profile',
      message: 'There is no one with that username.',
    });
  });

  it('refuses with TooManyRequests past the per-user limit, spending none on a name nobody has', async () => {
    const { core, asAlice } = await setup({ RATE_LIMIT_FOLLOWS: '2/h' });
    await insertUser(core.db, 'carol');
    await insertUser(core.db, 'dave');

    await expect(followUser(core, asAlice, { username: 'nobody' })).rejects.toBeInstanceOf(NotFound);
    await followUser(core, asAlice, { username: 'bob' });
    await followUser(core, asAlice, { username: 'carol' });
    await expect(followUser(core, asAlice, { username: 'dave' })).rejects.toBeInstanceOf(TooManyRequests);

    expect(await followRows(core)).toHaveLength(2);
    // unfollowing is not limited
    expect((await unfollowUser(core, asAlice, { username: 'bob' })).following).toBe(false);
  });
});
