import { and, eq, sql } from 'drizzle-orm';
import type { Profile } from '../articles/summary';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';
import { followingFlag } from './following';

export type { Profile };

/** A profile, and its account's suspension (null when it is not suspended): findProfileNamed decides who sees it. */
export type ProfileWithSuspension = Profile & { suspension: { until: Date | null; reason: string | null } | null };

export async function findProfile(db: Db, username: string, viewerId: number | null): Promise<ProfileWithSuspension | null> {
  await idle(db);
  const t = tablesOf(db);
  const { users } = t;
  const [row] = await db
    .select({
      id: users.id,
      username: users.username,
      bio: users.bio,
      image: users.image,
      following: followingFlag(t, viewerId, users.id),
      suspendedAt: users.suspendedAt,
      suspendedUntil: users.suspendedUntil,
      suspensionReason: users.suspensionReason,
    })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .limit(1);
  if (!row) return null;
  const { suspendedAt, suspendedUntil, suspensionReason, ...profile } = row;
  const suspension = suspendedAt === null ? null : { until: suspendedUntil, reason: suspensionReason };
  return { ...profile, following: Boolean(row.following), suspension };
}

/** One row however often it is asked; that following oneself means nothing is followUser's rule (use-cases.ts). */
/** Answers whether a row was added (false: they followed them already). */
export async function followUser(db: Db, followerId: number, followedId: number, now: number): Promise<boolean> {
  await idle(db);
  const { follows } = tablesOf(db);
  const added = await db
    .insert(follows)
    .values({ followerId, followedId, createdAt: new Date(now) })
    .onConflictDoNothing()
    .returning({ followedId: follows.followedId });
  return added.length > 0;
}

/** Answers whether a row went (false: they did not follow them). */
export async function unfollowUser(db: Db, followerId: number, followedId: number): Promise<boolean> {
  await idle(db);
  const { follows } = tablesOf(db);
  const removed = await db
    .delete(follows)
    .where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId)))
    .returning({ followedId: follows.followedId });
  return removed.length > 0;
}
