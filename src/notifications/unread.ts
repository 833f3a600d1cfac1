/**
 * The unread count, apart from the rest of src/notifications/ so that session validation
 * (src/auth/session.ts), which every signed-in request runs, imports nothing more than this.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Tables } from '../db/engine';

/** The navigation shows up to this many unread ("99+" beyond): the count reads at most this many rows. */
export const UNREAD_COUNT_CAP = 100;

/**
 * The unread count of user `userId` (a column of the enclosing query, or a number), as a scalar
 * subquery for the session's validation (src/auth/session.ts): read from the partial index of
 * unread rows, at most UNREAD_COUNT_CAP of them.
 */
export function unreadCountSql(t: Tables, userId: SQLWrapper): SQL<number> {
  const { notifications: n, comments: c } = t;
  // aliases of their own: the enclosing query reads `users` and `sessions` already
  return sql<number>`(select count(*) from (select 1 from ${n} nu join ${t.users} na on na.id = nu.actor_id left join ${c} nc on nc.id = nu.comment_id where nu.user_id = ${userId} and nu.read_at is null and na.suspended_at is null and (nu.comment_id is null or nc.hidden_at is null) limit ${sql.raw(String(UNREAD_COUNT_CAP))}) unread)`;
}

