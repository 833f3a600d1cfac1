/** What a person does about another: follow them, and stop following them. */
import { NotFound, type Caller, type Core } from '../core';
import { transaction } from '../db/transaction';
import { activeSignedInUser, signedInUser } from '../users/use-cases';
import * as queries from './queries';
import type { Profile, ProfileWithSuspension } from './queries';
import { can } from '../roles/permissions';
import { notify, takeBackNotification } from '../notifications/use-cases';

export const NO_SUCH_PERSON = 'There is no one with that username.';

/**
 * The profile of the user named `username` (whatever its case), as the caller sees it. A suspended
 * account's profile does not exist but for moderators and up (`content:see-hidden`), who see the
 * suspension with it.
 */
export async function findProfileNamed(core: Pick<Core, 'db'>, caller: Caller, username: string): Promise<ProfileWithSuspension> {
  const profile = await queries.findProfile(core.db, username, caller.userId);
  if (!profile) throw new NotFound('profile', NO_SUCH_PERSON);
  if (profile.suspension !== null && !can(caller, 'content:see-hidden')) throw new NotFound('profile', NO_SUCH_PERSON);
  return profile;
}

/**
 * The signed-in user follows someone, and gets their profile as it now stands. Spends the per-user
 * follow limit, also when they already follow them or name themselves.
 */
export async function followUser(core: Core, caller: Caller, input: { username: string }): Promise<Profile> {
  const { db, clock, limits } = core;
  const followerId = await activeSignedInUser(db, caller);
  // no such person answers 404 before the limit is spent; spent before the transaction (see
  // Limits.enforce), once, however many times the transaction runs
  await findProfileNamed(core, caller, input.username);
  await limits.enforce('follows', followerId, clock(), caller.requestId ?? undefined);
  // checked again inside: the person cannot go between the check and the write
  return transaction(db, async (tx) => {
    const { suspension: _, ...profile } = await findProfileNamed({ db: tx }, caller, input.username);
    // following oneself means nothing: no row, and one's own profile is never "following"
    const self = profile.id === followerId;
    if (!self && (await queries.followUser(tx, followerId, profile.id, clock()))) {
      await notify(core, tx, { recipientId: profile.id, kind: 'follow', actorId: followerId, articleId: null, commentId: null }, clock());
    }
    return { ...profile, following: !self };
  });
}

/** The signed-in user stops following someone (nothing happens if they did not). */
export async function unfollowUser(core: Core, caller: Caller, input: { username: string }): Promise<Profile> {
  const followerId = signedInUser(caller);
  return transaction(core.db, async (tx) => {
    const { suspension: _, ...profile } = await findProfileNamed({ db: tx }, caller, input.username);
    if (await queries.unfollowUser(tx, followerId, profile.id)) {
      await takeBackNotification(tx, { recipientId: profile.id, kind: 'follow', actorId: followerId, articleId: null });
    }
    return { ...profile, following: false };
  });
}
