import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { idle } from '../db/transaction';
import { follows, users } from '../db/schema';
import type { Profile } from '../articles/queries';
import { followingFlag } from './following';

export type { Profile };

export async function findProfile(db: Db, username: string, viewerId: number | null): Promise<Profile | null> {
  await idle(db);
  const row = db
    .select({
      id: users.id,
      username: users.username,
      bio: users.bio,
      image: users.image,
      following: followingFlag(viewerId, users.id),
    })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .get();
  return row ? { ...row, following: Boolean(row.following) } : null;
}

/** One row however often it is asked; that following oneself means nothing is followUser's rule (use-cases.ts). */
export async function followUser(db: Db, followerId: number, followedId: number, now: number): Promise<void> {
  await idle(db);
  db.insert(follows)
    .values({ followerId, followedId, createdAt: new Date(now) })
    .onConflictDoNothing()
    .run();
}

export async function unfollowUser(db: Db, followerId: number, followedId: number): Promise<void> {
  await idle(db);
  db.delete(follows)
    .where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId)))
    .run();
}
