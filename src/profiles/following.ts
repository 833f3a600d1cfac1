import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { follows } from '../db/schema';

/** 1 when the viewer follows the user in `userIdColumn`, 0 otherwise (and for anonymous viewers). */
export function followingFlag(viewerId: number | null, userIdColumn: SQLWrapper): SQL<number> {
  if (viewerId === null) return sql<number>`0`;
  return sql<number>`exists(select 1 from ${follows} where ${follows.followerId} = ${viewerId} and ${follows.followedId} = ${userIdColumn})`;
}
