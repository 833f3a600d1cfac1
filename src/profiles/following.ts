import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Tables } from '../db/engine';

/**
 * 1 (true on PostgreSQL) when the viewer follows the user in `userIdColumn`, 0 otherwise. The
 * viewer is an id, null for anonymous readers, or a placeholder bound later (-1 for anonymous in
 * prepared queries).
 */
export function followingFlag(t: Tables, viewer: number | null | SQLWrapper, userIdColumn: SQLWrapper): SQL<number> {
  if (viewer === null) return sql<number>`0`;
  const { follows } = t;
  return sql<number>`exists(select 1 from ${follows} where ${follows.followerId} = ${viewer} and ${follows.followedId} = ${userIdColumn})`;
}
